#include "render/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util/html.h"
#include "util/text.h"

namespace bulletin {

namespace {

// Fixed decimals keep the output byte-for-byte stable.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

double max_value(const std::vector<ChartItem>& items) {
  double m = 0;
  for (const auto& i : items)
    if (std::isfinite(i.value)) m = std::max(m, i.value);
  return m;
}

// The opening of a chart: the <svg> element, sized, with its title for
// screen readers and as its visible heading.
std::string svg_start(const std::string& kind, double width, double height, const std::string& title) {
  std::string s = "<svg class=\"chart " + kind + "\" width=\"" + num(width) + "\" height=\"" + num(height) +
                  "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" role=\"img\" aria-label=\"" +
                  xml_escape(title) + "\">\n";
  s += "<title>" + xml_escape(title) + "</title>\n";
  s += "<text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\">" + xml_escape(title) + "</text>\n";
  return s;
}

}  // namespace

std::string bar_chart_svg(const std::string& title, const std::vector<ChartItem>& items) {
  const double kBarHeight = 18, kGap = 6, kTop = 28, kLabelWidth = 330, kBarMax = 360;
  const double kWidth = kLabelWidth + kBarMax + 80;
  double height = kTop + items.size() * (kBarHeight + kGap) + 8;
  double top = max_value(items);
  std::string s = svg_start("bar-chart", kWidth, height, title);
  for (size_t i = 0; i < items.size(); ++i) {
    const ChartItem& it = items[i];
    double y = kTop + i * (kBarHeight + kGap);
    double w = top > 0 && std::isfinite(it.value) && it.value > 0 ? it.value / top * kBarMax : 0;
    s += "<g>";
    s += "<text x=\"" + num(kLabelWidth - 6) + "\" y=\"" + num(y + 13) + "\" font-size=\"12\" text-anchor=\"end\">" +
         xml_escape(it.label) + "</text>";
    s += "<rect x=\"" + num(kLabelWidth) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" +
         num(kBarHeight) + "\" fill=\"#c0392b\"/>";
    s += "<text x=\"" + num(kLabelWidth + w + 4) + "\" y=\"" + num(y + 13) + "\" font-size=\"12\">" +
         xml_escape(it.text) + "</text>";
    s += "</g>\n";
  }
  return s + "</svg>\n";
}

std::string trend_chart_svg(const std::string& title, const std::vector<ChartItem>& items) {
  const double kWidth = 480, kHeight = 200, kLeft = 40, kRight = 20, kTop = 30, kBottom = 40;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& i : items)
    if (std::isfinite(i.value)) lo = std::min(lo, i.value), hi = std::max(hi, i.value);
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi == lo) lo -= 1, hi += 1;  // a flat line sits in the middle
  double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto x_of = [&](size_t i) {
    return items.size() <= 1 ? kLeft + plot_w / 2 : kLeft + plot_w * i / (items.size() - 1);
  };
  auto y_of = [&](double v) { return kTop + plot_h * (hi - v) / (hi - lo); };
  std::string s = svg_start("trend-chart", kWidth, kHeight, title);
  s += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(kTop + plot_h) + "\" x2=\"" + num(kWidth - kRight) + "\" y2=\"" +
       num(kTop + plot_h) + "\" stroke=\"#999\"/>\n";
  std::string points;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!std::isfinite(items[i].value)) continue;
    if (!points.empty()) points += ' ';
    points += num(x_of(i)) + "," + num(y_of(items[i].value));
  }
  if (!points.empty())
    s += "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\"/>\n";
  for (size_t i = 0; i < items.size(); ++i) {
    const ChartItem& it = items[i];
    std::string x = num(x_of(i));
    if (std::isfinite(it.value)) {
      std::string y = num(y_of(it.value));
      s += "<circle cx=\"" + x + "\" cy=\"" + y + "\" r=\"3\" fill=\"#c0392b\"/>";
      s += "<text x=\"" + x + "\" y=\"" + num(y_of(it.value) - 6) + "\" font-size=\"11\" text-anchor=\"middle\">" +
           xml_escape(it.text) + "</text>";
    }
    s += "<text x=\"" + x + "\" y=\"" + num(kHeight - 14) + "\" font-size=\"11\" text-anchor=\"middle\">" +
         xml_escape(it.label) + "</text>\n";
  }
  return s + "</svg>\n";
}

std::string period_bar_chart(const RankingRule& rule, const PeriodResult& period) {
  std::vector<ChartItem> items;
  for (const auto& row : period.rows) {
    std::string label = row.entity;
    if (rule.has_group()) label += "（" + row.group + "）";
    items.push_back({label, row.metrics.at(0).value, row.metrics.at(0).text});
  }
  return bar_chart_svg(rule.metrics.at(0).label + " · " + period.id, items);
}

std::string history_trend_chart(const RankingRule& rule, const EntityHistory& history, size_t metric) {
  std::vector<ChartItem> items;
  for (const auto& p : history.points)
    items.push_back({p.period, p.metrics.at(metric).value, p.metrics.at(metric).text});
  return trend_chart_svg(history.entity + " · " + rule.metrics.at(metric).label, items);
}

}  // namespace bulletin
