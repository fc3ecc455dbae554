#pragma once

#define TITAN_SDK_VERSION "0.1.0"
