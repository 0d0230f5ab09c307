// .xlsx exports, read natively: the workbook is a zip (libzip) of XML parts
// (expat). The sheet is streamed from the zip in chunks, so memory holds the
// shared strings and one row, not the sheet. Cells: shared strings (t="s"),
// inline strings, formula strings (t="str"), numbers (their stored text),
// booleans, errors and ISO dates (t="d"). workbook.xml gives the sheets by
// name, in order, and whether dates count from 1904.
#include <expat.h>
#include <zip.h>

#include <cstring>
#include <map>
#include <memory>

#include "compute/table_exports.h"
#include "util/text.h"

namespace bulletin {
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;

// The local name of an XML element ("x:row" -> "row").
std::string_view local(const char* name) {
  std::string_view n = name;
  size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

const char* attr(const char** atts, std::string_view name) {
  for (int i = 0; atts[i]; i += 2)
    if (local(atts[i]) == name) return atts[i + 1];
  return nullptr;
}

// Streams one zip member through an expat parser.
class XmlPart {
 public:
  virtual ~XmlPart() = default;
  virtual void start(std::string_view name, const char** atts) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(std::string_view s) = 0;

  // False when the member does not exist. Throws Error for bad XML.
  bool parse(zip_t* zip, const std::string& member, const std::string& where) {
    zip_file_t* f = zip_fopen(zip, member.c_str(), 0);
    if (!f) return false;
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> closer(f, zip_fclose);
    std::unique_ptr<std::remove_pointer_t<XML_Parser>, void (*)(XML_Parser)> parser(XML_ParserCreate(nullptr),
                                                                                    XML_ParserFree);
    XML_SetUserData(parser.get(), this);
    XML_SetElementHandler(
        parser.get(),
        [](void* self, const char* name, const char** atts) { static_cast<XmlPart*>(self)->start(local(name), atts); },
        [](void* self, const char* name) { static_cast<XmlPart*>(self)->end(local(name)); });
    XML_SetCharacterDataHandler(parser.get(), [](void* self, const char* s, int len) {
      static_cast<XmlPart*>(self)->text(std::string_view(s, static_cast<size_t>(len)));
    });
    std::string buf(1 << 16, '\0');
    for (;;) {
      zip_int64_t n = zip_fread(f, buf.data(), buf.size());
      if (n < 0)
        throw Error(SourceLocation{where, 0, 0}, "cannot read " + member + " in the workbook: " + zip_file_strerror(f));
      if (XML_Parse(parser.get(), buf.data(), static_cast<int>(n), n == 0) == XML_STATUS_ERROR)
        throw Error(SourceLocation{where, 0, 0}, member + " in the workbook is not valid XML (line " +
                                                     std::to_string(XML_GetCurrentLineNumber(parser.get())) +
                                                     "): " + XML_ErrorString(XML_GetErrorCode(parser.get())));
      if (n == 0) return true;
    }
  }
};

struct SheetRef {
  std::string name;
  std::string rel_id;
};

class WorkbookPart : public XmlPart {
 public:
  std::vector<SheetRef> sheets;
  bool date1904 = false;
  void start(std::string_view name, const char** atts) override {
    if (name == "sheet") {
      const char* n = attr(atts, "name");
      const char* id = nullptr;
      for (int i = 0; atts[i]; i += 2)
        if (std::string_view(atts[i]).ends_with(":id")) id = atts[i + 1];
      sheets.push_back({n ? n : "", id ? id : ""});
    } else if (name == "workbookPr") {
      const char* d = attr(atts, "date1904");
      date1904 = d && (std::strcmp(d, "1") == 0 || std::strcmp(d, "true") == 0);
    }
  }
  void end(std::string_view) override {}
  void text(std::string_view) override {}
};

class RelsPart : public XmlPart {
 public:
  std::map<std::string, std::string> target;  // id -> target
  std::string shared_strings;
  void start(std::string_view name, const char** atts) override {
    if (name != "Relationship") return;
    const char* id = attr(atts, "Id");
    const char* t = attr(atts, "Target");
    const char* type = attr(atts, "Type");
    if (id && t) target[id] = t;
    if (t && type && std::string_view(type).ends_with("/sharedStrings")) shared_strings = t;
  }
  void end(std::string_view) override {}
  void text(std::string_view) override {}
};

// Shared strings: each <si> is its <t>, or its runs' <t>s; phonetic hints
// (<rPh>) are not part of the text.
class SharedStringsPart : public XmlPart {
 public:
  std::vector<std::string> strings;
  void start(std::string_view name, const char**) override {
    if (name == "si") current_.clear();
    else if (name == "t") in_t_ = true;
    else if (name == "rPh") in_phonetic_ = true;
  }
  void end(std::string_view name) override {
    if (name == "si") strings.push_back(std::move(current_));
    else if (name == "t") in_t_ = false;
    else if (name == "rPh") in_phonetic_ = false;
  }
  void text(std::string_view s) override {
    if (in_t_ && !in_phonetic_) current_.append(s);
  }

 private:
  std::string current_;
  bool in_t_ = false, in_phonetic_ = false;
};

// The sheet: rows of cells handed to the TableReader as they end.
class SheetPart : public XmlPart {
 public:
  SheetPart(std::string where, const std::vector<std::string>& strings, TableReader& table)
      : where_(std::move(where)), strings_(strings), table_(table) {}

  void start(std::string_view name, const char** atts) override {
    if (name == "row") {
      const char* r = attr(atts, "r");
      row_ = r ? std::atol(r) : row_ + 1;
      cells_.clear();
      next_column_ = 0;
    } else if (name == "c") {
      const char* r = attr(atts, "r");
      column_ = r ? column_of_cell(r) : next_column_;
      if (column_ < 0) column_ = next_column_;
      next_column_ = column_ + 1;
      const char* t = attr(atts, "t");
      type_ = t ? t : "n";
      value_.clear();
      inline_.clear();
      has_value_ = false;
    } else if (name == "v") {
      in_v_ = true;
      has_value_ = true;
    } else if (name == "is") {
      in_is_ = true;
    } else if (name == "t" && in_is_) {
      in_t_ = true;
    } else if (name == "rPh") {
      in_phonetic_ = true;
    }
  }

  void end(std::string_view name) override {
    if (name == "v") {
      in_v_ = false;
    } else if (name == "t") {
      in_t_ = false;
    } else if (name == "rPh") {
      in_phonetic_ = false;
    } else if (name == "is") {
      in_is_ = false;
    } else if (name == "c") {
      finish_cell();
    } else if (name == "row") {
      table_.row(cells_);
    }
  }

  void text(std::string_view s) override {
    if (in_v_) value_.append(s);
    else if (in_t_ && !in_phonetic_) inline_.append(s);
  }

 private:
  void finish_cell() {
    TableCell cell;
    cell.where = {where_ + "!" + cell_name(column_, row_), 0, 0};
    if (type_ == "s") {
      char* end = nullptr;
      long i = std::strtol(value_.c_str(), &end, 10);
      if (has_value_ && end != value_.c_str() && i >= 0 && i < static_cast<long>(strings_.size())) {
        cell.text = strings_[i];
        cell.kind = TableCell::Kind::Text;
      }
    } else if (type_ == "inlineStr") {
      cell.text = std::move(inline_);
      cell.kind = TableCell::Kind::Text;
    } else if (type_ == "str" || type_ == "d") {
      cell.text = std::move(value_);
      cell.kind = TableCell::Kind::Text;
    } else if (type_ == "b") {
      cell.text = value_ == "1" ? "TRUE" : "FALSE";
      cell.kind = has_value_ ? TableCell::Kind::Boolean : TableCell::Kind::Empty;
    } else if (type_ == "e") {
      cell.text = std::move(value_);
      cell.kind = TableCell::Kind::Error;
    } else {
      cell.text = std::move(value_);
      cell.kind = has_value_ && !cell.text.empty() ? TableCell::Kind::Number : TableCell::Kind::Empty;
    }
    if (cell.kind == TableCell::Kind::Text && cell.text.empty()) cell.kind = TableCell::Kind::Empty;
    if (column_ >= static_cast<int>(cells_.size())) {
      cells_.resize(static_cast<size_t>(column_) + 1);
    }
    cells_[column_] = std::move(cell);
  }

  std::string where_;
  const std::vector<std::string>& strings_;
  TableReader& table_;
  std::vector<TableCell> cells_;
  long row_ = 0;
  int column_ = 0, next_column_ = 0;
  std::string type_, value_, inline_;
  bool has_value_ = false, in_v_ = false, in_is_ = false, in_t_ = false, in_phonetic_ = false;
};

// "worksheets/sheet1.xml" relative to xl/, or "/xl/worksheets/sheet1.xml".
std::string member_of(const std::string& target) {
  if (target.starts_with("/")) return target.substr(1);
  std::string t = target;
  std::string base = "xl";
  while (t.starts_with("../")) {
    t = t.substr(3);
    base.clear();
  }
  return base.empty() ? t : base + "/" + t;
}

}  // namespace

void read_xlsx_export(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                      const std::string& path, uint64_t order_base, RecordConsumer& consumer) {
  std::string full = join_path(project_root, path);
  SourceLocation file{path, 0, 0};
  int err = 0;
  Zip zip;
  std::string bytes;  // kept alive for a zip read from memory
  if (fs.on_disk()) {
    zip.reset(zip_open(full.c_str(), ZIP_RDONLY, &err));
    if (!zip && !fs.is_file(full)) throw Error(file, "cannot read the export file");
  } else {
    auto b = fs.read(full);
    if (!b) throw Error(file, "cannot read the export file");
    bytes = std::move(*b);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &ze);
    if (src) {
      zip.reset(zip_open_from_source(src, ZIP_RDONLY, &ze));
      if (!zip) zip_source_free(src);
    }
    zip_error_fini(&ze);
  }
  if (!zip) throw Error(file, "not an Excel workbook (.xlsx): the file is not a zip archive");

  WorkbookPart workbook;
  if (!workbook.parse(zip.get(), "xl/workbook.xml", path))
    throw Error(file, "not an Excel workbook (.xlsx): it has no xl/workbook.xml");
  RelsPart rels;
  rels.parse(zip.get(), "xl/_rels/workbook.xml.rels", path);
  if (workbook.sheets.empty()) throw Error(file, "the workbook has no sheet");

  const SheetRef* sheet = &workbook.sheets.front();
  if (!rule.sheet.empty()) {
    sheet = nullptr;
    std::string names;
    for (const auto& s : workbook.sheets) {
      if (s.name == rule.sheet) sheet = &s;
      names += (names.empty() ? "'" : ", '") + s.name + "'";
    }
    if (!sheet)
      throw Error(file, "the workbook has no sheet '" + rule.sheet + "' (the rule's 'sheet'); it has " + names);
  }
  std::string member = rels.target.count(sheet->rel_id) ? member_of(rels.target[sheet->rel_id]) : "";
  if (member.empty()) {
    // Without relationships, sheets are numbered in order.
    size_t k = static_cast<size_t>(sheet - workbook.sheets.data()) + 1;
    member = "xl/worksheets/sheet" + std::to_string(k) + ".xml";
  }

  SharedStringsPart strings;
  strings.parse(zip.get(), rels.shared_strings.empty() ? "xl/sharedStrings.xml" : member_of(rels.shared_strings), path);

  std::string where = path + ":" + sheet->name;
  TableReader table(rule, SourceLocation{where, 0, 0}, order_base, consumer, workbook.date1904);
  SheetPart part(where, strings.strings, table);
  if (!part.parse(zip.get(), member, path))
    throw Error(file, "the workbook lacks the part of sheet '" + sheet->name + "' (" + member + ")");
  table.finish();
}

}  // namespace bulletin
