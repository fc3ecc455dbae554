// Feeding an input stream from a titan::input<T>.
#include "titan/reader.hpp"

namespace titan::detail {

bool input_source::feed(client_core& core, std::uint64_t id) {
  bool credit = true;  // called when the host granted some
  for (;;) {
    if (!has_staged_) {
      if (!next(staged_)) {
        core.end_input(id);
        return true;
      }
      has_staged_ = true;
    }
    if (!credit) return false;
    credit = core.send_item(id, staged_.data(), staged_.size()) > 0;
    has_staged_ = false;
  }
}

void feed_all(client_core& core, std::uint64_t id, input_source& in) {
  while (core.next(id, nullptr, nullptr, true) == stream_step::input_credit)
    if (in.feed(core, id)) return;
}

}  // namespace titan::detail
