// Converts a bench export to the office's formats: jsonl_to_table IN.jsonl OUT.csv|OUT.xlsx
// (CSV: UTF-8 with a BOM, as Excel saves "CSV UTF-8"; XLSX: libxlsxwriter in
// constant-memory mode, a title row above the header, dates as serial numbers
// with a date format, numbers as numbers). Keys in the first record's order.
#include <xlsxwriter.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: jsonl_to_table IN.jsonl OUT.csv|OUT.xlsx\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::string out_path = argv[2];
  bool xlsx = out_path.ends_with(".xlsx");
  std::vector<std::string> keys;
  std::ofstream csv;
  lxw_workbook* wb = nullptr;
  lxw_worksheet* ws = nullptr;
  lxw_format* date = nullptr;
  lxw_row_t row = 0;
  for (std::string line; std::getline(in, line);) {
    auto r = nlohmann::ordered_json::parse(line);
    if (keys.empty()) {
      for (auto& [k, v] : r.items()) keys.push_back(k);
      if (xlsx) {
        lxw_workbook_options o = {};
        o.constant_memory = LXW_TRUE;
        wb = workbook_new_opt(out_path.c_str(), &o);
        ws = workbook_add_worksheet(wb, "Sheet1");
        date = workbook_add_format(wb);
        format_set_num_format(date, "yyyy-mm-dd");
        worksheet_write_string(ws, row++, 0, "党员学习积分导出", nullptr);
        for (size_t c = 0; c < keys.size(); ++c) worksheet_write_string(ws, row, c, keys[c].c_str(), nullptr);
        ++row;
      } else {
        csv.open(out_path, std::ios::binary);
        csv << "\xEF\xBB\xBF";
        for (size_t c = 0; c < keys.size(); ++c) csv << (c ? "," : "") << keys[c];
        csv << "\r\n";
      }
    }
    for (size_t c = 0; c < keys.size(); ++c) {
      const auto& v = r[keys[c]];
      if (xlsx) {
        if (v.is_number()) {
          worksheet_write_number(ws, row, c, v.get<double>(), nullptr);
        } else {
          std::string s = v.get<std::string>();
          if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
            lxw_datetime d = {std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2)), std::stoi(s.substr(8, 2)), 0, 0, 0};
            worksheet_write_datetime(ws, row, c, &d, date);
          } else {
            worksheet_write_string(ws, row, c, s.c_str(), nullptr);
          }
        }
      } else {
        csv << (c ? "," : "") << (v.is_string() ? v.get<std::string>() : v.dump());
      }
    }
    if (xlsx) ++row;
    else csv << "\r\n";
  }
  if (wb && workbook_close(wb) != LXW_NO_ERROR) return 1;
  return 0;
}
