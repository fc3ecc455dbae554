#include "transform.hpp"

#include <cctype>
#include <sstream>

CleanRow TransformService::run(const Row& row) {
  const auto first = row.text.find_first_not_of(' ');
  const auto last = row.text.find_last_not_of(' ');
  CleanRow out{row.id, first == std::string::npos ? "" : row.text.substr(first, last - first + 1), 0, worker_};
  for (char& c : out.text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::istringstream words(out.text);
  for (std::string w; words >> w;) ++out.words;
  return out;
}

TITAN_PLUGIN(TransformService, "1.0.0")
