// The values the data pipeline's stages hand each other.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <titan/titan.hpp>

// A row as extracted.
struct Row {
  std::int64_t id = 0;
  std::string text;
  MSGPACK_DEFINE_MAP(id, text);
};

// What extract hands out: a batch it holds open until it is released.
struct Batch {
  std::string batch;  // "SOURCE-N"
  std::vector<Row> rows;
  MSGPACK_DEFINE_MAP(batch, rows);
};

// A row after transform.
struct CleanRow {
  std::int64_t id = 0;
  std::string text;     // trimmed, upper case
  std::int64_t words = 0;
  std::string worker;   // the transform host that did it
  MSGPACK_DEFINE_MAP(id, text, words, worker);
};

// What load stored.
struct Receipt {
  std::string batch;
  std::int64_t rows = 0;
  std::int64_t words = 0;
  MSGPACK_DEFINE_MAP(batch, rows, words);
};
