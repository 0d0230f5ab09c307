#include "load/schema.h"

#include "util/input_check.h"

namespace bulletin {

namespace {
constexpr FieldType Text = FieldType::Text, TextOrList = FieldType::TextOrList, DateField = FieldType::Date,
                    Number = FieldType::Number, Boolean = FieldType::Boolean, List = FieldType::List,
                    Mapping = FieldType::Mapping;
}  // namespace

const DocumentSchema<Article>& article_schema() {
  using A = Article;
  static const DocumentSchema<Article> schema = {
      {"title", {"标题"}, Text, &A::title, kRequired},
      {"unit", {"单位", "作者单位"}, Text, &A::unit, kRequired},
      {"author", {"作者"}, Text, &A::author},
      {"date", {"日期"}, DateField, {}, kRequired},
      {"tags", {"标签"}, TextOrList, &A::tags},
      {"summary", {"摘要"}, Text, &A::summary},
      {"slug", {"链接名"}, Text},
  };
  return schema;
}

const DocumentSchema<Notice>& notice_schema() {
  using N = Notice;
  static const DocumentSchema<Notice> schema = {
      {"copy_no", {"份号"}, Text, &N::copy_no},
      {"secret", {"密级", "密级和保密期限"}, Text, &N::secret},
      {"urgency", {"紧急程度"}, Text, &N::urgency},
      {"issuer", {"发文机关", "发文机关标志"}, TextOrList, &N::issuer, kRequired, OnPage::ByHand},
      {"doc_no", {"发文字号", "文号"}, Text},
      {"signers", {"签发人"}, TextOrList, &N::signers, kOptional, OnPage::ByHand},
      {"title", {"标题"}, Text, &N::title, kRequired},
      {"recipients", {"主送机关", "主送"}, Text, &N::recipients},
      {"attachments", {"附件", "附件说明"}, List},
      {"signature", {"署名", "发文机关署名"}, TextOrList, &N::signature},
      {"date", {"成文日期", "日期"}, DateField, &N::date},
      {"sealed", {"印章"}, Boolean, &N::sealed},
      {"note", {"附注"}, Text, &N::note},
      {"cc", {"抄送", "抄送机关"}, Text, &N::cc},
      {"printer", {"印发机关"}, Text, &N::printer},
      {"print_date", {"印发日期"}, DateField, &N::print_date},
      {"enclosure", {"印发文件"}, Text},
      {"slug", {"链接名"}, Text},
      {"revision", {"修订", "版本"}, Number},
      {"revision_note", {"修订说明"}, Text},
  };
  return schema;
}

const DocumentSchema<BulletinIssue>& issue_schema() {
  using I = BulletinIssue;
  static const DocumentSchema<BulletinIssue> schema = {
      {"series", {"系列", "简报"}, Text},
      {"number", {"期号", "期数"}, Number, {}, kRequired},
      {"supplement", {"增刊"}, Boolean, &I::supplement, kOptional, OnPage::ByHand},
      {"date", {"日期"}, DateField, {}, kRequired},
      {"title", {"标题"}, Text, &I::title, kRequired},
      {"editor", {"编印单位", "编辑单位"}, Text},
      {"mark", {"密级", "标记"}, Text, &I::mark},
      {"sections", {"栏目"}, List},
      {"distribution", {"发送", "分送"}, Mapping},
      {"print_count", {"印数", "共印"}, Number},
      {"revision", {"修订", "版本"}, Number},
      {"revision_note", {"修订说明"}, Text},
  };
  return schema;
}

const std::vector<FieldSpec>& attachment_fields() {
  static const std::vector<FieldSpec> fields = {{"title", {"标题", "名称"}}, {"page", {"页面"}}, {"file", {"文件"}}};
  return fields;
}

const std::vector<FieldSpec>& attachment_page_fields() {
  static const std::vector<FieldSpec> fields = {{"title", {"标题"}, kRequired}};
  return fields;
}

const std::vector<FieldSpec>& enclosure_fields() {
  static const std::vector<FieldSpec> fields = {{"title", {"标题"}, kRequired},
                                                {"signature", {"署名"}, false, TextOrList},
                                                {"date", {"日期", "成文日期"}, false, DateField}};
  return fields;
}

const std::vector<FieldSpec>& section_fields() {
  static const std::vector<FieldSpec> fields = {{"heading", {"标题", "栏目"}, kRequired},
                                                {"body", {"正文", "内容"}},
                                                {"articles", {"文章"}, false, TextOrList},
                                                {"ranking", {"排名", "排行"}, false, Mapping}};
  return fields;
}

const std::vector<FieldSpec>& ranking_ref_fields() {
  static const std::vector<FieldSpec> fields = {{"rule", {"规则"}, kRequired}, {"period", {"时段", "期间"}, kRequired}};
  return fields;
}

const std::vector<FieldSpec>& config_fields() {
  static const std::vector<FieldSpec> fields = {
      {"title", {"标题", "站点名称"}, kRequired},
      {"organization", {"主办单位", "单位"}},
      {"language", {"语言"}},
      {"base_path", {"路径"}},
      {"base_url", {"网址"}},
      {"raw_html", {"允许HTML"}, false, Boolean},
      {"web_fonts", {"网页字体"}, false, TextOrList},
      {"feed_limit", {"订阅条数"}, false, Number},
      {"series", {"简报系列", "系列"}, false, List},
  };
  return fields;
}

const std::vector<FieldSpec>& series_fields() {
  static const std::vector<FieldSpec> fields = {
      {"id", {"代号"}, kRequired}, {"name", {"名称"}, kRequired}, {"editor", {"编印单位"}}, {"numbering", {"编号"}}};
  return fields;
}

const std::vector<FieldSpec>& rule_fields() {
  static const std::vector<FieldSpec> fields = {
      {"id", {"代号"}},
      {"title", {"标题"}, kRequired},
      {"description", {"说明"}},
      {"exports", {"数据"}, kRequired, TextOrList},
      {"fields", {"字段"}, kRequired, Mapping},
      {"entity", {"排名对象"}, kRequired},
      {"group", {"分组"}},
      {"period", {"周期"}, kRequired},
      {"metrics", {"指标"}, kRequired, List},
      {"order", {"排序"}, kOptional, List},
      {"lists", {"名单"}, kOptional, List},
      {"groups", {"分组排名"}, kOptional, Mapping},
      {"bad_records", {"异常记录"}},
      {"rank_label", {"排名列名"}},
      {"encoding", {"编码"}},
      {"sheet", {"工作表"}},
  };
  return fields;
}

const std::vector<FieldSpec>& metric_fields() {
  static const std::vector<FieldSpec> fields = {{"id", {"代号"}, kRequired},
                                                {"label", {"名称"}},
                                                {"value", {"公式"}, kRequired},
                                                {"format", {"格式"}},
                                                {"description", {"说明"}}};
  return fields;
}

const std::vector<FieldSpec>& list_fields() {
  static const std::vector<FieldSpec> fields = {{"id", {"代号"}, kRequired},
                                                {"label", {"名称"}},
                                                {"top", {"前几名"}, kOptional, Number},
                                                {"bottom", {"后几名"}, kOptional, Number},
                                                {"where", {"条件"}},
                                                {"description", {"说明"}},
                                                {"per_group", {"每组"}, kOptional, Boolean}};
  return fields;
}

const std::vector<FieldSpec>& rule_groups_fields() {
  static const std::vector<FieldSpec> fields = {{"metrics", {"指标"}, kRequired, List},
                                                {"order", {"排序"}, kOptional, List},
                                                {"lists", {"名单"}, kOptional, List}};
  return fields;
}

const std::vector<DocumentedSchema>& documented_rule_schemas() {
  static const std::vector<DocumentedSchema> all = {
      {"Rule keys", &rule_fields()},
      {"Metric keys", &metric_fields()},
      {"List keys", &list_fields()},
      {"Groups keys", &rule_groups_fields()},
  };
  return all;
}

const std::vector<DocumentedSchema>& documented_schemas() {
  static const std::vector<DocumentedSchema> all = {
      {"Site config", &config_fields()},
      {"Bulletin series", &series_fields()},
      {"Experience-sharing article", &article_schema().specs()},
      {"Official notice (公文)", &notice_schema().specs()},
      {"Attachment", &attachment_fields()},
      {"Attachment page", &attachment_page_fields()},
      {"Enclosure", &enclosure_fields()},
      {"Bulletin issue (简报)", &issue_schema().specs()},
      {"Section", &section_fields()},
      {"Ranking in a section", &ranking_ref_fields()},
  };
  return all;
}

std::vector<std::string> spellings(const std::vector<FieldSpec>& fields, const std::string& key) {
  for (const auto& f : fields) {
    if (f.key != key) continue;
    std::vector<std::string> out = {f.key};
    out.insert(out.end(), f.aliases.begin(), f.aliases.end());
    return out;
  }
  throw std::logic_error("no field '" + key + "' in the schema");
}

std::string slug_problem(std::string_view slug) { return url_segment_problem(slug); }

bool is_rule_id(std::string_view id) {
  if (id.empty() || id[0] == '.') return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace bulletin
