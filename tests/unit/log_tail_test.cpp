// log_tail: the last lines of a log file, and following it across rotations.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "log_tail.hpp"
#include "temp_dir.hpp"

using titan::cli::log_tail;
using titan::test::temp_dir;
using lines = std::vector<std::string>;

namespace {

void append(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary | std::ios::app);
  f << text;
}

std::string numbered_line(int i) { return "line " + std::to_string(100000 + i); }

}  // namespace

TEST_CASE("log_tail gives the last N lines", "[logs]") {
  temp_dir dir;
  const auto path = dir.write_file("svc.log", "a\nb\nc\nd\ne\n");
  log_tail t(path.string());
  CHECK(t.last_lines(2) == lines{"d", "e"});
  CHECK(t.last_lines(20) == lines{"a", "b", "c", "d", "e"});  // shorter than N
  CHECK(t.last_lines(0).empty());
  CHECK(log_tail(dir.write_file("empty.log", "").string()).last_lines(5).empty());
  CHECK(log_tail((dir / "missing.log").string()).last_lines(5).empty());
  CHECK(log_tail(dir.write_file("blank.log", "\n\nx\n").string()).last_lines(3) == lines{"", "", "x"});
}

TEST_CASE("log_tail: a last line without newline", "[logs]") {
  temp_dir dir;
  const auto path = dir.write_file("svc.log", "a\nb\nc");
  log_tail t(path.string());
  CHECK(t.last_lines(2) == lines{"b", "c"});
  // Following: it is held back until it is complete.
  CHECK(t.last_lines(2, false) == lines{"a", "b"});
  CHECK(t.follow().empty());
  append(path, "ontinued\nd\n");
  CHECK(t.follow() == lines{"continued", "d"});
}

TEST_CASE("log_tail reads a long file from its end, across blocks", "[logs]") {
  temp_dir dir;
  std::string text;
  const int count = 100000;  // about 1.2 MB: many 64 KiB blocks
  for (int i = 0; i < count; ++i) text += numbered_line(i) + "\n";
  const auto path = dir.write_file("svc.log", text);
  log_tail t(path.string());
  CHECK(t.last_lines(3) == lines{numbered_line(count - 3), numbered_line(count - 2), numbered_line(count - 1)});
  const auto many = t.last_lines(20000);  // spans blocks
  REQUIRE(many.size() == 20000);
  CHECK(many.front() == numbered_line(count - 20000));
  CHECK(many.back() == numbered_line(count - 1));
  for (std::size_t i = 1; i < many.size(); ++i)
    if (many[i] != numbered_line(count - 20000 + static_cast<int>(i))) FAIL("line " << i << ": " << many[i]);

  const std::string huge(200000, 'x');  // one line longer than a block
  log_tail h(dir.write_file("huge.log", "first\n" + huge + "\nlast\n").string());
  CHECK(h.last_lines(2) == lines{huge, "last"});
}

TEST_CASE("log_tail follows appends, rotations and truncations", "[logs]") {
  temp_dir dir;
  const auto path = dir / "svc.log";
  const std::string rotated = path.string() + ".1";
  append(path, "old\n");
  log_tail t(path.string());
  CHECK(t.last_lines(10, false) == lines{"old"});
  CHECK(t.follow().empty());

  append(path, "one\ntw");
  CHECK(t.follow() == lines{"one"});
  append(path, "o\n");
  CHECK(t.follow() == lines{"two"});

  SECTION("rotation: the rest of the old file, then the new one") {
    append(path, "three\n");  // written, not yet seen, when the file is rotated
    std::filesystem::rename(path, rotated);
    append(path, "four\n");
    CHECK(t.follow() == lines{"three", "four"});
    append(path, "five\n");
    CHECK(t.follow() == lines{"five"});
    // A fresh look takes the end of the rotated file too.
    CHECK(log_tail(path.string()).last_lines(3) == lines{"three", "four", "five"});
  }
  SECTION("rotation, the new file not there yet") {
    std::filesystem::rename(path, rotated);
    CHECK(t.follow().empty());
    append(path, "later\n");
    CHECK(t.follow() == lines{"later"});
  }
  SECTION("truncation: from the start again") {
    std::filesystem::resize_file(path, 0);
    append(path, "new\n");
    CHECK(t.follow() == lines{"new"});
  }
  SECTION("a big append comes in pieces") {
    std::string text;
    for (int i = 0; i < 50000; ++i) text += numbered_line(i) + "\n";
    append(path, text);
    lines got;
    for (lines part; !(part = t.follow(64 * 1024)).empty();) got.insert(got.end(), part.begin(), part.end());
    REQUIRE(got.size() == 50000);
    CHECK(got.back() == numbered_line(49999));
  }
}

TEST_CASE("log_tail waits for a file that does not exist yet", "[logs]") {
  temp_dir dir;
  const auto path = dir / "later.log";
  log_tail t(path.string());
  CHECK(t.last_lines(10, false).empty());
  CHECK(t.follow().empty());
  append(path, "hello\n");
  CHECK(t.follow() == lines{"hello"});
}
