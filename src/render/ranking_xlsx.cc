#include "render/ranking_xlsx.h"

#include <fcntl.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "compute/number_format.h"
#include "model/urls.h"
#include "render/ranking_pages.h"
#include "util/date.h"
#include "util/diagnostics.h"
#include "util/text.h"

namespace bulletin {

std::string excel_number_format(const std::string& spec) {
  auto f = parse_number_format(spec);
  if (!f) return "General";
  std::string out = "0";
  if (f->places > 0) out += "." + std::string(static_cast<size_t>(f->places), '0');
  if (f->style == NumberFormat::Style::Percent) out += "%";
  return out;
}

namespace {

using json = nlohmann::json;

// One sheet being written: tracks the widest text of each column.
class Sheet {
 public:
  Sheet(lxw_workbook* wb, const std::string& name) : ws_(workbook_add_worksheet(wb, name.c_str())) {}

  void text(int row, int col, const std::string& s, lxw_format* f = nullptr) {
    worksheet_write_string(ws_, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), s.c_str(), f);
    fit(col, display_width(s));
  }
  void number(int row, int col, double v, const std::string& shown, lxw_format* f = nullptr) {
    worksheet_write_number(ws_, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), v, f);
    fit(col, display_width(shown));
  }
  // The title across the table's columns, and the header row frozen below it.
  void title(const std::string& s, int columns, lxw_format* f) {
    if (columns > 1) worksheet_merge_range(ws_, 0, 0, 0, static_cast<lxw_col_t>(columns - 1), s.c_str(), f);
    else worksheet_write_string(ws_, 0, 0, s.c_str(), f);
    worksheet_set_row(ws_, 0, 24, nullptr);
    worksheet_freeze_panes(ws_, 2, 0);
  }
  void finish() {
    for (size_t c = 0; c < widths_.size(); ++c)
      worksheet_set_column(ws_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), std::min(80.0, widths_[c] + 2.0),
                           nullptr);
  }

 private:
  void fit(int col, size_t width) {
    if (static_cast<size_t>(col) >= widths_.size()) widths_.resize(static_cast<size_t>(col) + 1, 6);
    widths_[col] = std::max(widths_[col], static_cast<double>(width));
  }
  lxw_worksheet* ws_;
  std::vector<double> widths_;
};

struct Formats {
  lxw_workbook* wb;
  lxw_format* title;
  lxw_format* header;
  lxw_format* rank;
  std::map<std::string, lxw_format*> numbers;

  explicit Formats(lxw_workbook* w) : wb(w) {
    title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 14);
    format_set_align(title, LXW_ALIGN_CENTER);
    format_set_align(title, LXW_ALIGN_VERTICAL_CENTER);
    header = workbook_add_format(wb);
    format_set_bold(header);
    format_set_bottom(header, LXW_BORDER_THIN);
    format_set_align(header, LXW_ALIGN_CENTER);
    rank = workbook_add_format(wb);
    format_set_num_format(rank, "0");
    format_set_align(rank, LXW_ALIGN_CENTER);
  }
  lxw_format* number(const std::string& spec) {
    auto [it, fresh] = numbers.try_emplace(spec, nullptr);
    if (fresh) {
      it->second = workbook_add_format(wb);
      format_set_num_format(it->second, excel_number_format(spec).c_str());
    }
    return it->second;
  }
};

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// A metric cell: its value as a number with the metric's format, or its text.
void metric_cell(Sheet& s, Formats& f, int row, int col, const json& cell, const std::string& spec) {
  std::string shown = cell.is_object() ? str(cell, "text") : "";
  if (cell.is_object() && cell.contains("value") && cell["value"].is_number())
    s.number(row, col, cell["value"].get<double>(), shown, f.number(spec));
  else s.text(row, col, shown.empty() ? "—" : shown);
}

void header_row(Sheet& s, Formats& f, int row, const std::vector<std::string>& labels) {
  for (size_t c = 0; c < labels.size(); ++c) s.text(row, static_cast<int>(c), labels[c], f.header);
}

std::string official(const std::string& iso) {
  auto d = parse_date(iso);
  return d ? d->official() : iso;
}

// The file libxlsxwriter writes the workbook to (it has no in-memory output),
// removed on every path. First choice: an unnamed O_TMPFILE file in `dir`,
// opened by libxlsxwriter through /proc/self/fd/N; it has no name, so nothing
// is left behind even by a killed build. Else (a file system without
// O_TMPFILE, no /proc): a named bulletin-index-XXXXXX.xlsx in `dir`, removed
// by the destructor, so a throw anywhere in between leaves nothing either;
// only a kill in those few milliseconds could, and `dir` is then the
// project's own cache folder, not the system's /tmp.
class WorkbookFile {
 public:
  explicit WorkbookFile(const std::string& dir) {
    if (!force_named_temp_xlsx) {
      fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
      if (fd_ >= 0) {
        path_ = "/proc/self/fd/" + std::to_string(fd_);
        if (::access(path_.c_str(), W_OK) == 0) return;
        ::close(fd_);
        fd_ = -1;
      }
    }
    path_ = dir + "/bulletin-index-XXXXXX.xlsx";
    fd_ = ::mkstemps(path_.data(), 5);
    if (fd_ < 0) throw Error(SourceLocation{dir, 0, 0}, "cannot create a temporary file for index.xlsx");
    named_ = true;
  }
  ~WorkbookFile() {
    if (named_) ::unlink(path_.c_str());
    if (fd_ >= 0) ::close(fd_);
  }
  WorkbookFile(const WorkbookFile&) = delete;
  WorkbookFile& operator=(const WorkbookFile&) = delete;

  const std::string& path() const { return path_; }
  // The workbook's bytes, once libxlsxwriter has closed it.
  std::string bytes() const {
    std::string out;
    char buf[65536];
    for (off_t at = 0;;) {
      ssize_t n = ::pread(fd_, buf, sizeof buf, at);
      if (n < 0) throw Error(SourceLocation{path_, 0, 0}, "cannot read back index.xlsx");
      if (n == 0) return out;
      out.append(buf, static_cast<size_t>(n));
      at += n;
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool named_ = false;
};

// Frees a workbook not closed on the success path (a throw in between),
// without writing it.
struct WorkbookCloser {
  lxw_workbook* wb;
  ~WorkbookCloser() {
    if (wb) lxw_workbook_free(wb);
  }
};

}  // namespace

bool force_named_temp_xlsx = false;

std::string xlsx_temp_dir(const std::string& project_root, bool on_disk) {
  if (!on_disk) return "";
  std::filesystem::path dir = std::filesystem::path(project_root) / cache_path("xlsx");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return ec ? "" : dir.string();
}

std::string ranking_xlsx(const json& j, const RankingRule* rule, const std::string& temp_dir) {
  // libxlsxwriter is not thread-safe (gmtime's static buffer for the
  // document dates, among others): one workbook at a time.
  static std::mutex one_at_a_time;
  std::lock_guard<std::mutex> lock(one_at_a_time);
  std::string dir = temp_dir.empty() ? std::filesystem::temp_directory_path().string() : temp_dir;
  WorkbookFile file(dir);
  lxw_workbook* wb = workbook_new(file.path().c_str());
  if (!wb) throw Error(SourceLocation{dir, 0, 0}, "cannot write index.xlsx");
  WorkbookCloser closer{wb};

  // The creation time shown in Excel: the period's last day, so the bytes
  // depend only on the data.
  lxw_doc_properties props = {};
  std::string title = str(j, "title");
  std::string period = str(j, "period");
  auto kind = parse_period_kind(str(j, "kind"));
  std::string heading = title + " " + (kind ? period_label(*kind, period) : period);
  props.title = heading.data();
  std::tm tm = {};
  if (auto end = parse_date(str(j, "end"))) {
    tm.tm_year = end->year - 1900;
    tm.tm_mon = end->month - 1;
    tm.tm_mday = end->day;
  } else {
    tm.tm_year = 100;
    tm.tm_mday = 1;
  }
  props.created = timegm(&tm);
  workbook_set_properties(wb, &props);

  Formats f(wb);
  std::string rank_label = rule ? rule->rank_label : "排名";
  std::string entity_label = rule ? rule->entity_label() : "名称";
  std::string group_label = rule && rule->has_group() ? rule->group_label() : "分组";
  const json& rows = j.contains("rows") && j["rows"].is_array() ? j["rows"] : json::array();
  bool grouped = false;
  for (const auto& r : rows) grouped = grouped || r.contains("group");
  const json& metrics = j.contains("metrics") && j["metrics"].is_array() ? j["metrics"] : json::array();

  // The table.
  {
    Sheet s(wb, "排名");
    std::vector<std::string> labels = {rank_label, entity_label};
    if (grouped) labels.push_back(group_label);
    for (const auto& m : metrics) labels.push_back(str(m, "label"));
    s.title(heading, static_cast<int>(labels.size()), f.title);
    header_row(s, f, 1, labels);
    int row = 2;
    for (const auto& r : rows) {
      int col = 0;
      int rank = r.value("rank", 0);
      s.number(row, col++, rank, std::to_string(rank), f.rank);
      s.text(row, col++, str(r, "entity"));
      if (grouped) s.text(row, col++, str(r, "group"));
      for (const auto& m : metrics) {
        std::string id = str(m, "id");
        metric_cell(s, f, row, col++, r.contains(id) ? r[id] : json(), str(m, "format"));
      }
      ++row;
    }
    ++row;
    std::string range = "统计期间：" + official(str(j, "start")) + "至" + official(str(j, "end"));
    s.text(row++, 0, range);
    if (!j.value("complete", true) && j.contains("as_of") && j["as_of"].is_string())
      s.text(row++, 0, "数据截至" + official(j["as_of"].get<std::string>()) + "（本期尚未结束）");
    long skipped = j.contains("skipped") && j["skipped"].is_object() ? j["skipped"].value("count", 0L) : 0L;
    if (skipped > 0) s.text(row++, 0, "跳过有问题的记录 " + std::to_string(skipped) + " 条");
    s.finish();
  }

  auto list_sheet = [&](const std::string& sheet_name, const json& lists, bool entities) {
    Sheet s(wb, sheet_name);
    std::vector<std::string> labels = {"名单", rank_label};
    if (entities) labels.push_back(entity_label);
    if (!entities || grouped) labels.push_back(group_label);
    s.title(heading, static_cast<int>(labels.size()), f.title);
    header_row(s, f, 1, labels);
    int row = 2;
    for (const auto& [id, l] : lists.items()) {
      std::string label = str(l, "label");
      if (!l.contains("entries") || l["entries"].empty()) {
        s.text(row++, 0, label);
        continue;
      }
      for (const auto& e : l["entries"]) {
        int col = 0;
        s.text(row, col++, label);
        int rank = e.value("rank", 0);
        s.number(row, col++, rank, std::to_string(rank), f.rank);
        if (entities) s.text(row, col++, str(e, "entity"));
        if (!entities || grouped) s.text(row, col++, str(e, "group"));
        ++row;
      }
    }
    s.finish();
  };
  if (j.contains("lists") && j["lists"].is_object() && !j["lists"].empty()) list_sheet("名单", j["lists"], true);

  if (j.contains("groups") && j["groups"].is_object()) {
    const json& g = j["groups"];
    const json& gm = g.contains("metrics") && g["metrics"].is_array() ? g["metrics"] : json::array();
    bool usable = group_label.size() <= 24 && group_label.find_first_of("[]:*?/\\'") == std::string::npos;
    Sheet s(wb, usable ? group_label + "汇总" : "分组汇总");
    std::vector<std::string> labels = {rank_label, group_label, "人数"};
    for (const auto& m : gm) labels.push_back(str(m, "label"));
    s.title(heading, static_cast<int>(labels.size()), f.title);
    header_row(s, f, 1, labels);
    int row = 2;
    if (g.contains("rows") && g["rows"].is_array()) {
      for (const auto& r : g["rows"]) {
        int col = 0;
        int rank = r.value("rank", 0);
        s.number(row, col++, rank, std::to_string(rank), f.rank);
        s.text(row, col++, str(r, "group"));
        int members = r.value("members", 0);
        s.number(row, col++, members, std::to_string(members), f.rank);
        for (const auto& m : gm) {
          std::string id = str(m, "id");
          metric_cell(s, f, row, col++, r.contains(id) ? r[id] : json(), str(m, "format"));
        }
        ++row;
      }
    }
    s.finish();
    if (g.contains("lists") && g["lists"].is_object() && !g["lists"].empty())
      list_sheet(usable ? group_label + "名单" : "分组名单", g["lists"], false);
  }

  closer.wb = nullptr;
  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR)
    throw Error(SourceLocation{dir, 0, 0}, std::string("cannot write index.xlsx: ") + lxw_strerror(err));
  return file.bytes();
}

}  // namespace bulletin
