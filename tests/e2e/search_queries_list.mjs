// The queries the search tests run (search_queries.mjs in Chromium,
// search_engine.mjs in Node), shared so both check the same list.
// [query, expected URL (site-relative), expected type]: what a clerk types and
// the document they are looking for.
export const QUERIES = [
  // Units, inside ranking tables, notices and attachments.
  ['中共复旦大学委员会', 'rankings/xxqg-units/2020-11/', '排名'],
  ['益阳医学高等专科学校', 'notices/2019/2019-hnjw-xxqg/attachment-1/', '通知'],
  ['上海工程技术大学', 'articles/sues-four-forces/', '经验交流'],
  ['广西纺织工业学校', 'notices/桂纺校党字/2020/58/', '通知'],
  ['中共武汉市委宣传部', 'notices/武宣文/2019/7/', '通知'],
  ['中共上海师范大学委员会', 'notices/校党委发/2020/51/', '通知'],
  ['湖南省委教育工作委员会', 'notices/2019/2019-hnjw-xxqg/', '通知'],
  // 发文字号 and 期号.
  ['校党委发〔2020〕51号', 'notices/校党委发/2020/51/', '通知'],
  ['桂纺校党字〔2020〕58号', 'notices/桂纺校党字/2020/58/', '通知'],
  ['武宣文〔2019〕7号', 'notices/武宣文/2019/7/', '通知'],
  ['学习强国工作简报 第 6 期', 'bulletins/jiaowei/2020/6/', '简报'],
  // Titles, in part.
  ['聚焦四个力', 'articles/sues-four-forces/', '经验交流'],
  ['用好用活', 'articles/sues-four-forces/', '经验交流'],
  ['学习平台建设情况', 'bulletins/jiaowei/2020/6/', '简报'],
  ['学习管理和激励办法', 'notices/桂纺校党字/2020/58/', '通知'],
  ['建设推广工作方案', 'notices/2019/2019-hnjw-xxqg/', '通知'],
  ['加强理论学习的实施办法', 'notices/校党委发/2020/51/', '通知'],
  ['推广使用工作', 'notices/武宣文/2019/7/', '通知'],
  // Attachments and enclosures.
  ['上下级认证关系', 'notices/2019/2019-hnjw-xxqg/attachment-1/', '通知'],
  ['建设推广使用工作群', 'notices/2019/2019-hnjw-xxqg/', '通知'],
  ['登陆学习情况统计表', 'notices/桂纺校党字/2020/58/', '通知'],
  // Phrases from bodies.
  ['上海市教育卫生工作委员会', 'bulletins/jiaowei/2020/6/', '简报'],
  ['学习积分', 'notices/桂纺校党字/2020/58/', '通知'],
  // Ranking pages.
  ['日人均参与度', 'rankings/xxqg-units/2020-11/', '排名'],
  ['半年学习之星', 'rankings/whdj-stars/2019-H1/', '排名'],
  ['年度评选', 'rankings/gxfz-annual/2021/', '排名'],
  // Members and units, by name: their ranking history.
  ['唐桂英', 'rankings/whdj-stars/entities/第二党支部/唐桂英/', '排名'],
  ['梁学军', 'rankings/gxfz-daily-minimum/entities/机关第一党支部/梁学军/', '排名'],
  // Enclosures.
  ['上海师范大学关于运用', 'notices/校党委发/2020/51/', '通知'],
  ['中共湖南省委教育工作委员会', 'notices/2019/2019-hnjw-xxqg/', '通知'],
];

