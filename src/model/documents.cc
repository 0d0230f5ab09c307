#include "model/documents.h"

namespace bulletin {

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

std::string BulletinIssue::url() const {
  return issue_url(series, date.year, number, supplement);
}

std::string BulletinIssue::number_text() const {
  return std::string(supplement ? "增刊" : "") + "第 " + std::to_string(number) + " 期";
}

}  // namespace bulletin
