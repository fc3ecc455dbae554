// titan stream: a streaming call from a shell. Prints one JSON value per
// line as items arrive; a method that reads a stream gets its items from
// stdin, one JSON value per line.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include <titan/client.hpp>

#include "call_words.hpp"
#include "commands.hpp"
#include "instance.hpp"
#include "json_msgpack.hpp"

namespace titan::cli {
namespace {

struct stream_args {
  std::string endpoint;
  std::uint32_t window = client_options{}.stream_window;
};

// Input items from stdin, one JSON value per line (blank lines skipped).
class stdin_items final : public detail::input_source {
 public:
  bool next(msgpack::sbuffer& out) override {
    std::string line;
    while (std::getline(std::cin, line)) {
      ++line_;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const nlohmann::json::parse_error& e) {
        throw std::invalid_argument("stdin line " + std::to_string(line_) + " is not JSON: " + e.what());
      }
      out.clear();
      msgpack::packer<msgpack::sbuffer> packer(out);
      pack_json(packer, j);
      return true;
    }
    return false;
  }

 private:
  std::size_t line_ = 0;
};

// Whether METHOD reads an input stream: its $describe args name a stream<T>.
bool reads_input(const Client& client, const std::string& method) {
  msgpack::object_handle d = client.call("$describe").get();
  for (const auto& m : to_json(d.get()).value("methods", nlohmann::json::array())) {
    if (m.value("name", "") != method) continue;
    for (const auto& t : m.value("args", nlohmann::json::array()))
      if (t.is_string() && t.get<std::string>().rfind("stream<", 0) == 0) return true;
  }
  return false;
}

// Writes one line; false once stdout is closed (`| head` has all it wants).
bool print_line(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fputc('\n', stdout) == EOF) return false;
  return std::fflush(stdout) == 0;
}

int run_stream(const common_args& common, const stream_args& a, std::vector<std::string> rest) {
  std::optional<call_words> w = read_call_words("stream", a.endpoint, rest);
  if (!w) return exit_usage;
  // A closed stdout shows up as a failed write, not as a signal.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    Client client = call_target(common, a.endpoint, w->name, {.stream_window = a.window});
    std::shared_ptr<detail::input_source> input;
    if (reads_input(client, w->method)) input = std::make_shared<stdin_items>();
    // A stream has no deadline unless --timeout says one.
    Client streaming = common.timeout_given ? client : client.with_timeout(std::chrono::hours(24 * 365 * 10));
    Reader<msgpack::object_handle> reader =
        streaming.stream_packed(w->method, w->body.data(), w->body.size(), {}, std::move(input));
    while (auto item = reader.next()) {
      if (!print_line(to_json(item->get()).dump())) {
        reader.cancel();
        // A round trip on the same connection: the CANCEL has arrived once it is answered.
        try {
          client.with_timeout(std::chrono::milliseconds(500)).call("$ping").get();
        } catch (const Error&) {
        }
        return 0;  // the reader stopped reading: not an error, as for `yes | head`
      }
    }
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << '\n';
    return exit_usage;
  } catch (const Error& e) {
    return report_error(e);
  }
}

}  // namespace

void add_stream_command(CLI::App& app, common_args& common, int& rc) {
  auto a = std::make_shared<stream_args>();
  auto* cmd = app.add_subcommand("stream", "Call a streaming method and print its items as they arrive");
  cmd->footer(
      "\nUsage: titan stream NAME METHOD [ARGS...]           a service registered with the daemon\n"
      "       titan stream --endpoint EP METHOD [ARGS...]   one host, no daemon needed\n"
      "Prints one JSON value per line as items arrive (pipe it into jq, head, ...); closing the pipe\n"
      "cancels the stream. A method that reads a stream gets one JSON value per line of stdin.\n"
      "No deadline unless --timeout is given.");
  cmd->add_option("--endpoint,-e", a->endpoint, "Call this host directly instead of a service by name");
  cmd->add_option("--window", a->window, "Most items the host may send ahead of the reader (its credit; fewer when items are large)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 20));
  cmd->prefix_command();
  cmd->callback([cmd, a, &common, &rc] { rc = run_stream(common, *a, cmd->remaining()); });
}

}  // namespace titan::cli
