// Charts as inline SVG: no JavaScript, no fonts shipped, the same bytes for
// the same data. A horizontal bar chart shows the first metric of a ranking
// page; a small line chart shows one entity's metric across periods.
#pragma once

#include <string>
#include <vector>

#include "compute/rankings.h"
#include "compute/rules.h"

namespace bulletin {

struct ChartItem {
  std::string label;  // shown as is (escaped): 单位 names, period ids
  double value = 0;   // NaN items are drawn without a bar or point
  std::string text;   // the printed value: "97.60%"
};

// Bars from 0 to the largest value, one per item in the given order, with
// the label on the left and the printed value at the bar's end.
std::string bar_chart_svg(const std::string& title, const std::vector<ChartItem>& items);

// A polyline over the items in order (oldest first), labelled at each point.
std::string trend_chart_svg(const std::string& title, const std::vector<ChartItem>& items);

// The first metric of every row of a period, in table order.
std::string period_bar_chart(const RankingRule& rule, const PeriodResult& period);

// Metric `metric` of an entity over its periods.
std::string history_trend_chart(const RankingRule& rule, const EntityHistory& history, size_t metric = 0);

}  // namespace bulletin
