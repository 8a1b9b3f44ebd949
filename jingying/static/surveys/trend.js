// Index trend across campaigns (ECharts, vendored). Data comes from the element's data-chart
// attribute (JSON: name, labels, values with null where a campaign's figure is suppressed).
document.querySelectorAll(".trend-chart").forEach((el) => {
  if (typeof echarts === "undefined") return;
  const data = JSON.parse(el.dataset.chart || "{}");
  el.style.height = "260px";
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: {
      trigger: "axis",
      formatter: (items) => items.map((item) => `${echarts.format.encodeHTML(String((data.titles || [])[item.dataIndex] || item.name))}<br>${item.value ?? "—"}`).join("<br>"),
    },
    grid: { left: 40, right: 16, top: 24, bottom: 32 },
    xAxis: { type: "category", data: data.labels || [], axisLabel: { interval: 0 } },
    yAxis: { type: "value", min: 0, max: 100 },
    series: [{ name: data.name, type: "line", data: data.values || [], connectNulls: false, label: { show: true } }],
  });
  window.addEventListener("resize", () => chart.resize());
});
