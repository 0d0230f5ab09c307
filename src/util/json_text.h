// JSON text written by hand where building a document first would cost more
// (index.json of large rankings, the search records).
#pragma once

#include <string>
#include <string_view>

namespace bulletin {

// Appends `s` as a JSON string literal: the escapes nlohmann writes (\" \\ \b
// \f \n \r \t, \u00xx for other control characters), UTF-8 as it is; a byte
// that is not UTF-8 becomes U+FFFD (where nlohmann would throw).
void append_json_string(std::string& out, std::string_view s);

}  // namespace bulletin
