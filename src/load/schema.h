// The front matter each kind of content file accepts, in one place: field
// names, English and Chinese aliases, types, required fields, the characters
// a slug may hold and the URL each document gets. The loaders read through
// these tables, `bulletin new` writes and reads files by them, and
// schema_test checks that docs/content-schema.md lists the same fields.
//
// Adding a plain field to a document: one entry here (bound to the model's
// member, so the loader reads it, render/pages.cc puts it in the page data
// and an article's page digest covers it), the member in model/documents.h,
// and the template that shows it.
#pragma once

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "load/front_matter.h"
#include "model/documents.h"

namespace bulletin {

// The member of `Doc` a plain field is read into; monostate for a field the
// loader reads by hand (it needs checks or parts of other fields).
template <class Doc>
using FieldTarget = std::variant<std::monostate, std::string Doc::*, std::vector<std::string> Doc::*,
                                 std::optional<Date> Doc::*, bool Doc::*>;

// How a bound field reaches the page data. AsIs: under its own key, by its
// type — text as text, a list as items {text} with has_<key>, a date as its
// official form with <key>_iso (left out when absent), a boolean as itself
// (see set_plain_fields in render/pages.cc). ByHand: the page shows it in
// another form, set by hand in render/pages.cc.
enum class OnPage { AsIs, ByHand };

template <class Doc>
struct DocumentField {
  FieldSpec spec;
  FieldTarget<Doc> into;
  OnPage page = OnPage::AsIs;
};

inline constexpr bool kRequired = true;
inline constexpr bool kOptional = false;

// One document type's fields, in the order the docs list them.
template <class Doc>
class DocumentSchema {
 public:
  struct Entry {
    Entry(std::string key, std::vector<std::string> aliases, FieldType type, FieldTarget<Doc> into = {},
          bool required = kOptional, OnPage page = OnPage::AsIs)
        : field{{std::move(key), std::move(aliases), required, type}, into, page} {}
    DocumentField<Doc> field;
  };
  DocumentSchema(std::initializer_list<Entry> entries) {
    for (const auto& e : entries) {
      fields_.push_back(e.field);
      specs_.push_back(e.field.spec);
      check_target(e.field);
    }
  }
  const std::vector<DocumentField<Doc>>& fields() const { return fields_; }
  // For Fields, which reads any mapping.
  const std::vector<FieldSpec>& specs() const { return specs_; }

 private:
  // A bound field is read by the getter of its type (read_bound_fields).
  static void check_target(const DocumentField<Doc>& f) {
    FieldType t = f.spec.type;
    bool ok = std::visit(
        [t](auto member) {
          using M = decltype(member);
          if constexpr (std::is_same_v<M, std::monostate>) return true;
          else if constexpr (std::is_same_v<M, std::string Doc::*>) return t == FieldType::Text;
          else if constexpr (std::is_same_v<M, std::vector<std::string> Doc::*>) return t == FieldType::TextOrList;
          else if constexpr (std::is_same_v<M, std::optional<Date> Doc::*>) return t == FieldType::Date;
          else return t == FieldType::Boolean;
        },
        f.into);
    if (!ok) throw std::logic_error("schema field '" + f.spec.key + "' is bound to a member of another type");
  }
  std::vector<DocumentField<Doc>> fields_;
  std::vector<FieldSpec> specs_;
};

// Reads every bound field of `schema` from `f` into `doc`.
template <class Doc>
void read_bound_fields(const Fields& f, const DocumentSchema<Doc>& schema, Doc& doc) {
  for (const auto& field : schema.fields()) {
    const std::string& key = field.spec.key;
    std::visit(
        [&](auto member) {
          using M = decltype(member);
          if constexpr (std::is_same_v<M, std::monostate>) return;
          else if constexpr (std::is_same_v<M, std::string Doc::*>) doc.*member = f.text(key);
          else if constexpr (std::is_same_v<M, std::vector<std::string> Doc::*>) doc.*member = f.texts(key);
          else if constexpr (std::is_same_v<M, std::optional<Date> Doc::*>) doc.*member = f.date(key);
          else doc.*member = f.boolean(key);
        },
        field.into);
  }
}

// Calls fn(field, value) for every bound field of `schema`, with the member
// of `doc` it is bound to: what a page or a digest made from `doc` walks, so
// that a field added to the schema cannot be left out.
template <class Doc, class Fn>
void for_each_bound_field(const DocumentSchema<Doc>& schema, const Doc& doc, Fn&& fn) {
  for (const auto& field : schema.fields())
    std::visit(
        [&](auto member) {
          if constexpr (!std::is_same_v<decltype(member), std::monostate>) fn(field, doc.*member);
        },
        field.into);
}

// Documents. Their URLs: Article::url(), Notice::url(), BulletinIssue::url().
const DocumentSchema<Article>& article_schema();
const DocumentSchema<Notice>& notice_schema();
const DocumentSchema<BulletinIssue>& issue_schema();

// Parts of documents, read by hand.
const std::vector<FieldSpec>& attachment_fields();       // an item of a notice's `attachments`
const std::vector<FieldSpec>& attachment_page_fields();  // the front matter of an attachment page
const std::vector<FieldSpec>& enclosure_fields();        // the front matter of a notice's enclosure
const std::vector<FieldSpec>& section_fields();          // an item of an issue's `sections`
const std::vector<FieldSpec>& ranking_ref_fields();      // a section's `ranking`
const std::vector<FieldSpec>& config_fields();           // bulletin.yaml
const std::vector<FieldSpec>& series_fields();           // an item of bulletin.yaml's `series`

// Ranking rules (data/rules/*.yaml, docs/rules.md): the keys each mapping of
// a rule file takes. compute/rules reads the values; these give the keys
// their Chinese spellings.
const std::vector<FieldSpec>& rule_fields();         // a rule file
const std::vector<FieldSpec>& metric_fields();       // an item of `metrics`
const std::vector<FieldSpec>& list_fields();         // an item of `lists`
const std::vector<FieldSpec>& rule_groups_fields();  // `groups`

// Every table above, by the heading docs/content-schema.md (or, for rule
// files, docs/rules.md) gives it.
struct DocumentedSchema {
  std::string heading;  // the docs' "## " or "### " heading, up to its first ':'
  const std::vector<FieldSpec>* fields;
};
const std::vector<DocumentedSchema>& documented_schemas();
const std::vector<DocumentedSchema>& documented_rule_schemas();

// Every spelling of `key` in `fields`: the key, then its aliases.
std::vector<std::string> spellings(const std::vector<FieldSpec>& fields, const std::string& key);

// Why `slug` (an article's, a notice's without 发文字号, a file name `new`
// makes, a ranking rule's id) cannot be used: a slug is one URL segment
// (url_segment_problem); empty when it can.
std::string slug_problem(std::string_view slug);
// The slug characters in words, for messages.
inline constexpr char kSlugCharacters[] =
    "use letters, digits, '-' or Chinese characters, without spaces, '/', '?', '#' or '%'";

// A ranking rule's id (its file name and URL segment rankings/<id>/): a-z,
// 0-9, '-', '_' and '.', not first. The rule loader and `bulletin new rule`
// both check it here.
bool is_rule_id(std::string_view id);
// The rule id characters in words, for messages.
inline constexpr char kRuleIdCharacters[] = "a-z, 0-9, '-' and '_'";

}  // namespace bulletin
