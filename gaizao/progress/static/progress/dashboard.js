/* The command dashboard (作战图): charts and the village map drawn with ECharts from the page's
 * JSON (#dashboard-data, written by the server with json_script). No map tiles: the villages'
 * boundaries are registered as a map of their own. Every 60 s the figures are fetched again from
 * the page's data URL (without the boundaries) and the charts and KPI numbers updated; the tables
 * below the charts show the figures of the page's last load. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  var root = document.getElementById("dashboard");
  if (!source || !root || !window.echarts) { return; }

  var data = JSON.parse(source.textContent);
  var L = data.labels;
  var charts = {};
  var byCode = {};
  var grouped = new Intl.NumberFormat("zh-CN");
  var grouped2 = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var COLORS = { signed: "#206bc4", vacated: "#17a2b8", demolished: "#f76707" };
  var RATE_COLORS = ["#d63939", "#f59f00", "#fcc419", "#74b816", "#2fb344"];
  var TEXT = "#1d273b";
  var MUTED = "#667382";

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function pct(value) { return value == null ? "—" : value.toFixed(1) + "%"; }

  function chart(id) {
    if (charts[id]) { return charts[id]; }
    var node = document.getElementById(id);
    if (!node) { return null; }
    charts[id] = echarts.init(node, null, { renderer: "canvas" });
    return charts[id];
  }

  function curves() {
    var c = chart("chart-curves");
    if (!c) { return; }
    var keys = ["signed", "vacated", "demolished"];
    var scope = data.households;
    c.setOption({
      color: keys.map(function (k) { return COLORS[k]; }),
      tooltip: { trigger: "axis", valueFormatter: function (v) { return grouped.format(v) + " " + L.unit; } },
      legend: { top: 0, textStyle: { color: TEXT } },
      grid: { left: 16, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "time", axisLabel: { color: MUTED, hideOverlap: true } },
      yAxis: {
        type: "value", minInterval: 1, max: function (v) { return Math.max(v.max, scope || 0) || 1; },
        axisLabel: { color: MUTED, formatter: function (v) { return grouped.format(v); } }
      },
      series: keys.map(function (k) {
        var series = {
          name: data.curve_labels[k], type: "line", step: "end", showSymbol: false, lineStyle: { width: 2.5 },
          areaStyle: { opacity: 0.06 },
          data: data.curves.days.map(function (day, i) { return [day, data.curves[k][i]]; })
        };
        if (k === "signed" && scope) {
          series.markLine = {
            symbol: "none", silent: true, lineStyle: { type: "dashed", color: MUTED },
            label: { formatter: L.scope + " " + grouped.format(scope) + " " + L.unit, position: "insideEndTop", color: MUTED },
            data: [{ yAxis: scope }]
          };
        }
        return series;
      })
    }, { replaceMerge: ["series"] });
  }

  function funnel() {
    var c = chart("chart-funnel");
    if (!c) { return; }
    c.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var row = data.funnel[p.dataIndex];
          return esc(row.label) + "<br>" + grouped.format(row.households) + " " + L.unit + "（" + pct(row.rate) + "）";
        }
      },
      color: ["#4263eb", "#3b5bdb", "#1c7ed6", "#206bc4", "#17a2b8", "#f76707", "#2fb344"],
      series: [{
        type: "funnel", sort: "none", left: 4, width: "48%", top: 8, bottom: 8, gap: 3, min: 0,
        max: Math.max(data.households, 1), minSize: "10%", funnelAlign: "center",
        label: {
          show: true, position: "right", color: TEXT, fontSize: 12,
          formatter: function (p) {
            var row = data.funnel[p.dataIndex];
            return "{name|" + row.label + "} " + grouped.format(row.households) + " {rate|" + pct(row.rate) + "}";
          },
          rich: { name: { color: MUTED, fontSize: 12 }, rate: { color: TEXT, fontWeight: "bold", fontSize: 12 } }
        },
        labelLine: { show: true, length: 8, lineStyle: { color: "#ced4da" } },
        data: data.funnel.map(function (row) { return { name: row.label, value: row.households }; })
      }]
    });
  }

  function units() {
    var c = chart("chart-units");
    if (!c) { return; }
    var rows = data.units;
    var node = document.getElementById("chart-units");
    var height = Math.max(240, rows.length * 34 + 40);
    if (node.style.height !== height + "px") { node.style.height = height + "px"; c.resize(); }
    c.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var row = rows[p.dataIndex];
          return "<b>" + esc(row.name) + "</b><br>" + L.households + " " + grouped.format(row.households) + " " + L.unit
            + "<br>" + L.signed_rate + " " + pct(row.signed_rate) + "（" + grouped.format(row.signed) + " " + L.unit + "）"
            + "<br>" + L.vacated_rate + " " + pct(row.vacated_rate)
            + (row.forecast ? "<br>" + esc(row.forecast) : "");
        }
      },
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", color: MUTED }, splitNumber: 5 },
      yAxis: {
        type: "category", inverse: true, axisTick: { show: false }, triggerEvent: true,
        axisLabel: { color: TEXT, fontSize: 13 }, data: rows.map(function (row) { return row.name; })
      },
      series: [{
        type: "bar", barMaxWidth: 20, cursor: "pointer",
        itemStyle: { borderRadius: [0, 4, 4, 0] },
        label: { show: true, position: "right", color: TEXT, formatter: function (p) { return pct(rows[p.dataIndex].signed_rate); } },
        data: rows.map(function (row) {
          return { value: row.signed_rate == null ? 0 : row.signed_rate, itemStyle: { color: rateColor(row.signed_rate) } };
        })
      }]
    });
  }

  function rateColor(rate) {
    if (rate == null) { return "#adb5bd"; }
    return RATE_COLORS[Math.min(RATE_COLORS.length - 1, Math.floor(rate / 100 * RATE_COLORS.length))];
  }

  function bounds(geojson) {
    var box = [180, 90, -180, -90];
    function walk(coords) {
      if (typeof coords[0] === "number") {
        box[0] = Math.min(box[0], coords[0]); box[1] = Math.min(box[1], coords[1]);
        box[2] = Math.max(box[2], coords[0]); box[3] = Math.max(box[3], coords[1]);
        return;
      }
      coords.forEach(walk);
    }
    geojson.features.forEach(function (f) { walk(f.geometry.coordinates); });
    return box;
  }

  var mapRegistered = false;
  var aspect = 0.9;
  var centres = {};  // village code -> [lon, lat]: the middle of its boundary's bounding box

  function rateColor(rate) {
    // The visual map's colours, interpolated: the markers share the polygons' scale.
    if (rate == null || isNaN(rate)) { return "#adb5bd"; }
    var x = Math.max(0, Math.min(100, rate)) / 100 * (RATE_COLORS.length - 1);
    var i = Math.min(Math.floor(x), RATE_COLORS.length - 2), t = x - i;
    function rgb(hex) { return [1, 3, 5].map(function (k) { return parseInt(hex.slice(k, k + 2), 16); }); }
    var a = rgb(RATE_COLORS[i]), b = rgb(RATE_COLORS[i + 1]);
    return "rgb(" + a.map(function (v, k) { return Math.round(v + (b[k] - v) * t); }).join(",") + ")";
  }

  function map() {
    var node = document.getElementById("chart-map");
    if (!node) { return; }
    if (!mapRegistered) {
      if (!data.map.geojson || !data.map.geojson.features.length) { return; }
      echarts.registerMap(data.map.name, data.map.geojson);
      var box = bounds(data.map.geojson);
      aspect = Math.cos(((box[1] + box[3]) / 2) * Math.PI / 180);  // lon/lat drawn to scale at this latitude
      data.map.geojson.features.forEach(function (f) {
        var b = bounds({ features: [f] });
        centres[f.properties.name] = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
      });
      mapRegistered = true;
    }
    var c = chart("chart-map");
    byCode = {};
    data.map.villages.forEach(function (v) { byCode[v.code] = v; });
    var mapped = data.map.villages.filter(function (v) { return v.mapped && centres[v.code]; });
    var most = Math.max.apply(null, mapped.map(function (v) { return v.households; }).concat([1]));
    c.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var v = byCode[p.name];
          if (!v) { return ""; }
          return "<b>" + esc(v.name) + "</b>　" + esc(v.street)
            + "<br>" + L.households + " " + grouped.format(v.households) + " " + L.unit
            + "<br>" + L.signed_rate + " " + pct(v.signed_rate) + "（" + grouped.format(v.signed) + " " + L.unit + "）"
            + "<br>" + L.vacated_rate + " " + pct(v.vacated_rate);
        }
      },
      visualMap: {
        type: "continuous", min: 0, max: 100, right: 8, bottom: 4, orient: "horizontal", itemWidth: 10,
        itemHeight: 120, calculable: false, text: ["100%", L.signed_rate + " 0%"], textStyle: { color: MUTED },
        inRange: { color: RATE_COLORS }, seriesIndex: 0
      },
      // The boundaries, to scale; villages are small against a district, so each also gets a
      // marker at its centre, sized by households and coloured like its polygon.
      geo: {
        map: data.map.name, roam: true, aspectScale: aspect, nameProperty: "name",
        top: 24, bottom: 48, left: 24, right: 72, selectedMode: false,  // room for the labels
        itemStyle: { borderColor: "#fff", borderWidth: 1, areaColor: "#dee2e6" },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#339af0" } },
        label: { show: false }
      },
      series: [{
        type: "map", geoIndex: 0, cursor: "pointer",
        data: mapped.map(function (v) {
          return { name: v.code, value: v.signed_rate == null ? NaN : v.signed_rate };
        })
      }, {
        type: "scatter", coordinateSystem: "geo", cursor: "pointer", zlevel: 1,
        label: {
          show: true, position: "right", fontSize: 11, color: TEXT,
          formatter: function (p) { return byCode[p.name] ? byCode[p.name].name : ""; }
        },
        labelLayout: { hideOverlap: true },
        itemStyle: { borderColor: "#fff", borderWidth: 1, opacity: 0.9 },
        data: mapped.map(function (v) {
          return {
            name: v.code, value: centres[v.code].concat([v.signed_rate]),
            symbolSize: 8 + 22 * Math.sqrt(v.households / most),
            itemStyle: { color: rateColor(v.signed_rate) }
          };
        })
      }]
    });
  }

  function go(url) { if (url) { window.location.href = url; } }

  function render() {
    curves();
    funnel();
    units();
    map();
  }

  render();

  if (charts["chart-units"]) {
    charts["chart-units"].on("click", function (p) {
      var index = p.componentType === "yAxis"
        ? data.units.map(function (row) { return row.name; }).indexOf(p.value) : p.dataIndex;
      if (index >= 0 && data.units[index]) { go(data.units[index].url); }
    });
  }
  if (charts["chart-map"]) {
    charts["chart-map"].on("click", function (p) { if (byCode[p.name]) { go(byCode[p.name].url); } });
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });

  function showKpis() {
    Object.keys(data.kpis).forEach(function (key) {
      var kpi = data.kpis[key];
      var done = document.querySelector('[data-kpi="' + key + '"]');
      var rate = document.querySelector('[data-kpi-rate="' + key + '"]');
      if (done) {
        done.textContent = kpi.done.indexOf(".") >= 0 ? grouped2.format(Number(kpi.done)) : grouped.format(Number(kpi.done));
      }
      if (rate) { rate.textContent = pct(kpi.rate); }
    });
  }

  function refresh() {
    return fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") < 0) { throw new Error("not json"); }
        return response.json();
      })
      .then(function (fresh) {
        fresh.map.geojson = data.map.geojson;
        data = fresh;
        L = data.labels;
        render();
        showKpis();
        var stamp = document.querySelector("[data-refreshed]");
        if (stamp) {
          var now = new Date();
          stamp.textContent = L.refreshed + " " + String(now.getHours()).padStart(2, "0") + ":"
            + String(now.getMinutes()).padStart(2, "0");
        }
      })
      .catch(function () { /* keep the figures shown; the next round tries again */ });
  }

  window.setInterval(refresh, 60000);
  // For a "refresh now" from the console or a test: returns the promise of the round.
  window.gaizaoDashboard = { refresh: refresh };
})();
