// Everything a service or a client program needs.
#pragma once

#include "titan/client.hpp"
#include "titan/codec.hpp"
#include "titan/context.hpp"
#include "titan/descriptor.hpp"
#include "titan/future.hpp"
#include "titan/plugin.hpp"
#include "titan/proxy.hpp"
#include "titan/service.hpp"
#include "titan/status.hpp"
#include "titan/version.hpp"
#include "titan/wire.hpp"
