// rotating_log: appends, rotates at max size on line boundaries, keeps N files.
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "expect_error.hpp"
#include "logs/rotating_log.hpp"
#include "temp_dir.hpp"

using titan::detail::rotating_log;
using titan::test::read_file;
using titan::test::temp_dir;

namespace {

std::shared_ptr<spdlog::logger> quiet() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

std::string numbered(const std::filesystem::path& p, int i) { return p.string() + "." + std::to_string(i); }

}  // namespace

TEST_CASE("rotating_log appends, and a reopened file keeps growing", "[logs]") {
  temp_dir dir;
  const auto path = dir / "svc.log";
  {
    rotating_log log(path.string(), 1000, 3, quiet());
    log.write("first\n");
    CHECK(log.size() == 6);
  }
  rotating_log again(path.string(), 1000, 3, quiet());  // a restarted host
  CHECK(again.size() == 6);
  again.write("second\n");
  CHECK(read_file(path) == "first\nsecond\n");
  CHECK(!std::filesystem::exists(numbered(path, 1)));
}

TEST_CASE("rotating_log rotates at max size and keeps N files, newest first", "[logs]") {
  temp_dir dir;
  const auto path = dir / "svc.log";
  rotating_log log(path.string(), 10, 2, quiet());
  for (int i = 0; i < 8; ++i) log.write("line" + std::to_string(i) + "\n");  // 6 bytes: one line per file
  CHECK(read_file(path) == "line7\n");
  CHECK(read_file(numbered(path, 1)) == "line6\n");
  CHECK(read_file(numbered(path, 2)) == "line5\n");
  CHECK(!std::filesystem::exists(numbered(path, 3)));

  rotating_log two_per_file((dir / "two.log").string(), 10, 5, quiet());
  for (int i = 0; i < 6; ++i) two_per_file.write("abc" + std::to_string(i) + "\n");  // 5 bytes: exactly two fit
  CHECK(read_file(dir / "two.log") == "abc4\nabc5\n");
  CHECK(read_file(numbered(dir / "two.log", 1)) == "abc2\nabc3\n");
  CHECK(read_file(numbered(dir / "two.log", 2)) == "abc0\nabc1\n");
}

TEST_CASE("rotating_log deletes files beyond N", "[logs]") {
  temp_dir dir;
  rotating_log log((dir / "svc.log").string(), 8, 3, quiet());
  for (int i = 0; i < 50; ++i) log.write("entry\n");
  rotating_log none((dir / "none.log").string(), 8, 0, quiet());
  for (int i = 0; i < 50; ++i) none.write("entry\n");

  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) names.insert(e.path().filename().string());
  CHECK(names == std::set<std::string>{"svc.log", "svc.log.1", "svc.log.2", "svc.log.3", "none.log"});
  CHECK(read_file(dir / "none.log") == "entry\n");
}

TEST_CASE("rotating_log rotates after the last newline that fits", "[logs]") {
  temp_dir dir;
  const auto path = dir / "svc.log";

  SECTION("a chunk of several lines is cut at a line boundary") {
    rotating_log log(path.string(), 10, 3, quiet());
    log.write("aaaa\nbbbb\ncccc\n");
    CHECK(read_file(numbered(path, 1)) == "aaaa\nbbbb\n");
    CHECK(read_file(path) == "cccc\n");
  }
  SECTION("a line that does not fit starts the next file") {
    rotating_log log(path.string(), 10, 3, quiet());
    log.write("aaaa\n");
    log.write("bbbbbbbb\n");
    CHECK(read_file(numbered(path, 1)) == "aaaa\n");
    CHECK(read_file(path) == "bbbbbbbb\n");
  }
  SECTION("a line begun in this file is finished in it") {
    rotating_log log(path.string(), 10, 3, quiet());
    log.write("aaaaaaaa");  // no newline yet
    log.write("aaaa\nb\n");
    CHECK(read_file(numbered(path, 1)) == "aaaaaaaaaaaa\n");
    CHECK(read_file(path) == "b\n");
  }
  SECTION("a chunk without newline is cut at max size only when a line cannot be kept whole") {
    rotating_log log(path.string(), 10, 3, quiet());
    log.write("xx\n");
    log.write("0123456789");  // fits in no file with what is there: rotate first
    CHECK(read_file(numbered(path, 1)) == "xx\n");
    CHECK(read_file(path) == "0123456789");
  }
}

TEST_CASE("rotating_log writes a chunk larger than max size whole", "[logs]") {
  temp_dir dir;
  const auto path = dir / "svc.log";
  const std::string line1(25, '1'), line2(25, '2'), line3(25, '3');

  SECTION("one long line without newline gets a file") {
    rotating_log log(path.string(), 10, 3, quiet());
    log.write(line1);
    CHECK(read_file(path) == line1);
    CHECK(!std::filesystem::exists(numbered(path, 1)));
  }
  SECTION("each line longer than a file gets its own") {
    rotating_log log(path.string(), 10, 3, quiet());
    log.write(line1 + "\n" + line2 + "\n" + line3 + "\n");
    CHECK(read_file(numbered(path, 2)) == line1 + "\n");
    CHECK(read_file(numbered(path, 1)) == line2 + "\n");
    CHECK(read_file(path) == line3 + "\n");
  }
}

TEST_CASE("rotating_log reports a write error once and never throws", "[logs]") {
  if (!std::filesystem::exists("/dev/full")) {
    WARN("no /dev/full here: skipped");
    return;
  }
  temp_dir dir;
  const auto path = dir / "full.log";
  std::filesystem::create_symlink("/dev/full", path);  // every write: ENOSPC
  std::ostringstream out;
  auto log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  rotating_log file(path.string(), 10, 3, log);
  for (int i = 0; i < 5; ++i) CHECK_NOTHROW(file.write("a line that cannot be written\n"));
  log->flush();
  const std::string text = out.str();
  CHECK(text.find("cannot write log file " + path.string()) != std::string::npos);
  CHECK(text.find("cannot write") == text.rfind("cannot write"));  // once
}

TEST_CASE("rotating_log refuses what it cannot open", "[logs]") {
  temp_dir dir;
  auto e = titan::test::expect_error([&] { return rotating_log((dir / "missing/svc.log").string(), 10, 3, quiet()); });
  REQUIRE(e);
  CHECK(e->message().find("missing/svc.log") != std::string::npos);
  CHECK(titan::test::expect_error([&] { return rotating_log((dir / "svc.log").string(), 0, 3, quiet()); }));
}
