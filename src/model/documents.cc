#include "model/documents.h"

namespace bulletin {

LazyText::LazyText(std::string text) : state_(std::make_shared<State>()) { state_->text = std::move(text); }

LazyText LazyText::deferred(std::shared_ptr<const Source> source) {
  LazyText t;
  t.state_ = std::make_shared<State>();
  t.state_->source = std::move(source);
  return t;
}

const std::string& LazyText::str() const {
  static const std::string empty;
  if (!state_) return empty;
  if (state_->source) std::call_once(state_->once, [this] { state_->text = state_->source->load(); });
  return state_->text;
}

LazyText& LazyText::operator+=(std::string_view more) {
  std::string text = str();
  text += more;
  return *this = LazyText(std::move(text));
}

SeriesIndex::SeriesIndex(const std::vector<Series>& series) {
  for (const auto& s : series) {
    by_id_[s.id] = s;
    id_by_name_[s.name] = s.id;
    ids_.push_back(s.id);
  }
}

const Series* SeriesIndex::find(const std::string& key) const {
  auto it = by_id_.find(key);
  if (it == by_id_.end()) {
    auto named = id_by_name_.find(key);
    if (named == id_by_name_.end()) return nullptr;
    it = by_id_.find(named->second);
  }
  return &it->second;
}

std::string Notice::url() const {
  if (doc_no) return numbered_notice_url(doc_no->code, doc_no->year, doc_no->number);
  return notice_url(year(), slug);
}

int Notice::year() const {
  if (date) return date->year;
  if (doc_no) return doc_no->year;
  return 0;
}

std::string Notice::issuer_text() const {
  std::string out;
  for (const auto& organ : issuer) out += (out.empty() ? "" : " ") + organ;
  return out;
}

std::string BulletinIssue::url() const { return issue_url(series, date.year, number, supplement); }

std::string BulletinIssue::number_text() const {
  return std::string(supplement ? "增刊" : "") + "第 " + std::to_string(number) + " 期";
}

}  // namespace bulletin
