/// The geometry of the dashboard's SVG charts, computed here and drawn by the templates
/// (``DashboardTemplates``): no script, font or stylesheet from elsewhere, so the dashboard
/// works on a ministry LAN without the internet. Every drawn value carries `data-value`,
/// and the table under each chart says the same for screen readers.
enum Charts {
    /// Horizontal bars, one per item; a hidden value (public view) gets no bar, only « < k ».
    struct Bars {
        struct Bar {
            var label: String
            var short: String
            var textY: Int
            var barY: Int
            var length: Int
            var valueX: Int
            var value: Int
            var shown: Bool
            /// « < k » or « s » where hidden.
            var mark: String
        }
        var id: String
        var width: Int
        var height: Int
        var labelX: Int
        var barX: Int
        var thickness: Int
        var bars: [Bar]
    }

    static func bars(_ items: [(label: String, value: Count)], id: String, threshold: Int) -> Bars {
        let rowHeight = 28
        let labelWidth = 270
        let barSpace = 330
        let largest = max(items.compactMap(\.value.number).max() ?? 1, 1)
        return Bars(
            id: id, width: labelWidth + barSpace + 70, height: max(rowHeight * items.count + 10, 40),
            labelX: labelWidth - 8, barX: labelWidth, thickness: rowHeight - 8,
            bars: items.enumerated().map { index, item in
                let y = 5 + index * rowHeight
                let value = item.value.number ?? 0
                let length = scaled(value, largest, barSpace)
                return Bars.Bar(
                    label: item.label, short: shortened(item.label, 32), textY: y + 18, barY: y + 4, length: length,
                    valueX: labelWidth + length + 6, value: value, shown: item.value.number != nil,
                    mark: item.value.text(threshold: threshold))
            })
    }

    /// Vertical bars by month, one or two series side by side.
    struct Columns {
        struct Month {
            var label: String
            var x: Int
            var labelY: Int
            var marks: [Mark]
        }
        struct Mark {
            var series: Int
            var seriesName: String
            var monthLabel: String
            var x: Int
            var y: Int
            var width: Int
            var height: Int
            var value: Int
            var shown: Bool
            var mark: String
        }
        struct Legend {
            var series: Int
            var name: String
            var x: Int
            var textX: Int
        }
        var id: String
        var width: Int
        var height: Int
        var axisY: Int
        var legendY: Int
        var legendTextY: Int
        var months: [Month]
        var legend: [Legend]
    }

    static func columns(
        _ months: [(label: String, values: [Count])], series: [String], id: String, threshold: Int
    ) -> Columns {
        let columnWidth = max(24, min(60, 600 / max(months.count, 1)))
        let chartHeight = 180
        let width = max(columnWidth * months.count + 60, 360)
        let largest = max(months.flatMap { $0.values.compactMap(\.number) }.max() ?? 1, 1)
        let barWidth = max((columnWidth - 6) / max(series.count, 1), 2)
        return Columns(
            id: id, width: width, height: chartHeight + 90, axisY: chartHeight + 10, legendY: chartHeight + 68,
            legendTextY: chartHeight + 78,
            months: months.enumerated().map { index, month in
                let x = 34 + index * columnWidth
                return Columns.Month(
                    label: month.label, x: x, labelY: chartHeight + 26,
                    marks: month.values.enumerated().map { serie, value in
                        let height = scaled(value.number ?? 0, largest, chartHeight - 10)
                        return Columns.Mark(
                            series: serie, seriesName: series[serie], monthLabel: month.label, x: x + serie * barWidth,
                            y: chartHeight + 10 - height, width: barWidth - 1, height: height, value: value.number ?? 0,
                            shown: value.number != nil, mark: value.text(threshold: threshold))
                    })
            },
            legend: series.enumerated().map { index, name in
                Columns.Legend(series: index, name: name, x: 34 + index * 180, textX: 52 + index * 180)
            })
    }

    /// A bar's length for `value` out of `largest` in `space`; a non-zero value stays visible.
    static func scaled(_ value: Int, _ largest: Int, _ space: Int) -> Int {
        max(Int((Double(value) / Double(largest) * Double(space)).rounded()), value > 0 ? 2 : 0)
    }

    static func shortened(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
