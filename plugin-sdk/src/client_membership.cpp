// zmq_client_core: lost connections, re-sending idempotent calls, and
// membership changes pushed by the manager.
#include <algorithm>

#include "zmq_client_core.hpp"

namespace titan::detail {

// Connection events of every member. A lost connection fails the calls
// in flight there, or sends the idempotent ones to another member.
bool zmq_client_core::read_monitors() {
  bool changed = false;
  for (std::size_t i = 0; i < links_.size(); ++i) {
    member_link* l = links_[i].get();
    for (auto ev = l->next_event(); ev != member_link::event::none; ev = l->next_event()) {
      if (ev == member_link::event::connected) {
        changed |= !unassigned_.empty();
        retry_unassigned();
        continue;
      }
      // Replies that arrived before the connection closed are still
      // readable: take them before deciding about what is left.
      receive_all();
      apply_received();
      calls_.for_each([&](call_slot& slot) {
        if (slot.member != l || slot.state != call_state::sent) return;
        changed = true;
        if (!resend_elsewhere(slot, *l)) {
          --l->in_flight;
          slot.member = nullptr;
          fail(slot, status_code::unavailable,
               slot.method + ": connection to " + l->endpoint() + " lost with the call in flight (host died?)");
        }
      });
      reassign_outbox(*l);
      if (!l->removed) l->reset();
    }
  }
  drop_idle_removed_links();
  return changed;
}

// A member that left the membership goes once nothing of ours is left with it.
void zmq_client_core::drop_idle_removed_links() {
  auto idle = [](const auto& l) { return l->removed && l->in_flight == 0 && l->outbox.empty(); };
  for (const auto& l : links_)
    if (l->predecessor != nullptr && idle(l->predecessor)) l->predecessor = nullptr;
  std::erase_if(links_, idle);
}

// Sends an idempotent call that `from` did not answer to another member,
// within its deadline. False when it cannot be sent again.
// `need_other`: only if another member can take it now (a refusal from
// `from` would just repeat); otherwise it may wait for a replacement.
bool zmq_client_core::resend_elsewhere(call_slot& slot, member_link& from, bool need_other) {
  // A stream is not sent again: some of it may have run, and been read.
  if (slot.stream || !slot.idempotent || slot.retry_body.size() == 0 || clock::now() >= slot.deadline) return false;
  if (need_other) {
    member_link* other = balancer_.pick(links_, slot.key_hash, &from);
    if (other == nullptr || other == &from) return false;
  }
  if (slot.state == call_state::sent) --from.in_flight;
  slot.state = call_state::unsent;
  slot.member = nullptr;
  zmq::message_t body;
  body.copy(slot.retry_body);
  assign(slot, std::move(body), &from);
  return true;
}

bool zmq_client_core::requeue_refused(call_slot& slot, member_link& from) {
  if (slot.retry_body.size() == 0 || clock::now() >= slot.deadline) return false;
  if (!feed_) {
    member_link* other = balancer_.pick(links_, slot.key_hash, &from);
    if (other == nullptr || other == &from) return false;
  }
  --from.in_flight;
  slot.state = call_state::unsent;
  slot.member = nullptr;
  zmq::message_t body;
  body.copy(slot.retry_body);
  assign(slot, std::move(body), &from);  // with no member taking calls: unassigned until one comes
  return true;
}

// Calls waiting in a dead or removed member's outbox were never sent:
// any call may go elsewhere.
void zmq_client_core::reassign_outbox(member_link& l) {
  std::deque<outgoing> waiting;
  waiting.swap(l.outbox);
  for (auto& out : waiting) {
    if (out.control) continue;  // its stream's call went to this member; it ends with it
    call_slot* slot = calls_.find(out.id);
    if (slot == nullptr || slot->state != call_state::unsent || slot->member != &l) continue;
    slot->member = nullptr;
    if (!l.removed && !slot->idempotent && l.ever_connected && !l.connected) {
      fail(*slot, status_code::unavailable, slot->method + ": not connected to " + l.endpoint() + " (the host went away)");
      continue;
    }
    assign(*slot, std::move(out.body), &l);
  }
}

void zmq_client_core::retry_unassigned() {
  std::deque<unassigned_call> waiting;
  waiting.swap(unassigned_);
  // In the order the calls were made (refused ones joined later).
  std::sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (auto& u : waiting) {
    call_slot* slot = calls_.find(u.id);
    if (slot == nullptr || slot->state != call_state::unsent) continue;
    assign(*slot, std::move(u.body));
  }
}

void zmq_client_core::expire_unassigned() {
  const auto now = clock::now();
  std::erase_if(unassigned_, [&](const unassigned_call& u) {
    call_slot* slot = calls_.find(u.id);
    return slot == nullptr || slot->state != call_state::unsent || slot->deadline <= now;
  });
}

// Applies the newest membership from the manager, if one arrived.
bool zmq_client_core::apply_feed() {
  auto m = feed_->read();
  if (!m) return false;
  if (m->call_timeout_ms) announced_timeout_ = std::chrono::milliseconds(*m->call_timeout_ms);
  std::vector<member_link*> left, joined;  // in this update, with calls of ours still there / new
  for (const auto& l : links_) {
    bool keep = std::any_of(m->members.begin(), m->members.end(), [&](const auto& e) {
      return e.key == l->key() && e.endpoint == l->endpoint();
    });
    if (keep) l->refusing = false;  // listed again (a reload rolled back): it takes calls
    if (!keep && !l->removed) {
      l->removed = true;
      reassign_later_.push_back(l.get());
      if (l->in_flight > 0) left.push_back(l.get());
    }
  }
  for (const auto& e : m->members) {
    bool known = std::any_of(links_.begin(), links_.end(), [&](const auto& l) {
      return !l->removed && l->key() == e.key && l->endpoint() == e.endpoint;
    });
    if (!known) {
      links_.push_back(std::make_unique<member_link>(*ctx_, e.key, e.endpoint));
      joined.push_back(links_.back().get());
    }
  }
  // A member replaced by another (same pool slot key, or the one host of a
  // service swapped for one other): the new one waits for the old one's
  // answers to what we sent it, so that our calls keep their order.
  for (member_link* j : joined) {
    auto same_key = std::find_if(left.begin(), left.end(), [&](member_link* l) { return l->key() == j->key(); });
    if (same_key != left.end()) j->predecessor = *same_key;
    else if (left.size() == 1 && joined.size() == 1) j->predecessor = left.front();
  }
  balancer_.rebuild(links_);
  for (member_link* l : reassign_later_) reassign_outbox(*l);
  reassign_later_.clear();
  drop_idle_removed_links();
  retry_unassigned();
  return true;
}

}  // namespace titan::detail
