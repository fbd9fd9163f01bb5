/* The command dashboard (作战图): charts and the map drawn with ECharts from the page's JSON
 * (#dashboard-data, written by the server with json_script). The map is the boundaries registered as
 * a map of their own: the district's outline, the streets' areas (named; a click drills down) and
 * the villages coloured by signed rate (named at the street level or once zoomed in; a click opens
 * the village). No tiles from the internet: only a district's own tile server, when configured
 * (data.map.tiles), is drawn underneath. Every 60 s the figures are fetched again from
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
    // The legend's bands (data.map.bands, from the server): the bars, polygons and markers share them.
    if (rate == null || isNaN(rate)) { return data.map.no_rate_color; }
    var bands = data.map.bands;
    for (var i = 0; i < bands.length - 1; i++) { if (rate < bands[i].max) { return bands[i].color; } }
    return bands[bands.length - 1].color;
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

  // Where a shape's label goes: the centroid of its largest outer ring (inside for the usual
  // shapes, unlike the middle of the bounding box of an L-shaped street).
  function centre(geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    var best = null;
    polygons.forEach(function (rings) {
      var ring = rings[0], a = 0, cx = 0, cy = 0;
      for (var i = 0; i < ring.length - 1; i++) {
        var k = ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
        a += k; cx += (ring[i][0] + ring[i + 1][0]) * k; cy += (ring[i][1] + ring[i + 1][1]) * k;
      }
      if (a !== 0 && (!best || Math.abs(a) > best.area)) { best = { area: Math.abs(a), at: [cx / (3 * a), cy / (3 * a)] }; }
    });
    if (best) { return best.at; }
    var b = bounds({ features: [{ geometry: geometry }] });
    return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
  }

  var mapRegistered = false;
  var aspect = 0.9;
  var centres = {};  // feature name (village code, "street:CODE") -> [lon, lat] of its label
  var areas = {};  // "street:CODE" / "district:CODE" -> the area's row
  var zoom = 1;
  var ZOOM_FOR_NAMES = 1.5;  // in the district's view, villages are named once zoomed in this far (5 wheel steps)
  var TILES = !!data.map.tiles;
  // Fills of the outlines; lighter (and see-through) over a tile background.
  var FILL = TILES ? { district: "rgba(255,255,255,0)", street: "rgba(32,107,196,0.10)" }
    : { district: "#f8f9fa", street: "#e8f1fc" };
  var VILLAGE_FILL_OPACITY = TILES ? 0.75 : 1;

  function villageNamesShown() { return data.level === "street" || zoom >= ZOOM_FOR_NAMES; }

  function map() {
    var node = document.getElementById("chart-map");
    if (!node) { return; }
    if (!mapRegistered) {
      if (!data.map.geojson || !data.map.geojson.features.length) { return; }
      echarts.registerMap(data.map.name, data.map.geojson);
      var box = bounds(data.map.geojson);
      aspect = Math.cos(((box[1] + box[3]) / 2) * Math.PI / 180);  // lon/lat drawn to scale at this latitude
      data.map.geojson.features.forEach(function (f) { centres[f.properties.name] = centre(f.geometry); });
      mapRegistered = true;
    }
    var c = chart("chart-map");
    byCode = {};
    data.map.villages.forEach(function (v) { byCode[v.code] = v; });
    areas = {};
    data.map.areas.forEach(function (a) { areas[a.key] = a; });
    var mapped = data.map.villages.filter(function (v) { return v.mapped && centres[v.code]; });
    var streets = data.map.areas.filter(function (a) { return a.kind === "street" && centres[a.key]; });
    var most = Math.max.apply(null, mapped.map(function (v) { return v.households; }).concat([1]));
    // One visual map colours every region by its value: a village by its signed rate (the
    // legend's bands), -1 a street's area, -2 the district, -3 a village with nobody in scope.
    var pieces = [
      { value: -2, color: FILL.district }, { value: -1, color: FILL.street },
      { value: -3, color: data.map.no_rate_color }
    ].concat(data.map.bands.map(function (band, i) {
      var last = i === data.map.bands.length - 1;
      return last ? { gte: band.min, lte: 100, color: band.color } : { gte: band.min, lt: band.max, color: band.color };
    }));
    c.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var v = byCode[p.name], a = areas[p.name];
          if (v) {
            return "<b>" + esc(v.name) + "</b>　" + esc(v.street)
              + "<br>" + L.households + " " + grouped.format(v.households) + " " + L.unit
              + "<br>" + L.signed_rate + " " + pct(v.signed_rate) + "（" + grouped.format(v.signed) + " " + L.unit + "）"
              + "<br>" + L.vacated_rate + " " + pct(v.vacated_rate)
              + "<br><span style=\"color:" + MUTED + "\">" + esc(L.open_village) + "</span>";
          }
          if (a && a.kind === "street") {
            return "<b>" + esc(a.name) + "</b>"
              + "<br>" + L.households + " " + grouped.format(a.households || 0) + " " + L.unit
              + "<br>" + L.signed_rate + " " + pct(a.signed_rate) + "（" + grouped.format(a.signed || 0) + " " + L.unit + "）"
              + "<br>" + L.vacated_rate + " " + pct(a.vacated_rate)
              + (a.url ? "<br><span style=\"color:" + MUTED + "\">" + esc(L.drill) + "</span>" : "");
          }
          return a ? "<b>" + esc(a.name) + "</b>" : "";
        }
      },
      visualMap: { type: "piecewise", show: false, seriesIndex: 0, pieces: pieces },
      // The boundaries, to scale; villages are small against a district, so each also gets a
      // marker at its centre, sized by households and coloured like its polygon.
      geo: {
        map: data.map.name, roam: true, aspectScale: aspect, nameProperty: "name", zoom: zoom,
        top: 16, bottom: 16, left: 24, right: 64, selectedMode: false,  // room for the names
        itemStyle: { borderColor: "#fff", borderWidth: 1, areaColor: "#dee2e6" },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#339af0" } },
        label: { show: false },
        regions: data.map.areas.map(function (a) {
          return a.kind === "district"
            ? { name: a.key, silent: true, itemStyle: { borderColor: TEXT, borderWidth: 2.5 }, emphasis: { disabled: true } }
            : { name: a.key, itemStyle: { borderColor: "#5b8fd6", borderWidth: 1.5 },
                emphasis: { itemStyle: { areaColor: TILES ? "rgba(32,107,196,0.22)" : "#d0e2f7" }, label: { show: false } } };
        }).concat(mapped.map(function (v) {
          return { name: v.code, itemStyle: { opacity: VILLAGE_FILL_OPACITY } };
        }))
      },
      series: [{
        type: "map", geoIndex: 0, cursor: "pointer",
        data: data.map.areas.map(function (a) {
          return { name: a.key, value: a.kind === "district" ? -2 : -1 };
        }).concat(mapped.map(function (v) {
          return { name: v.code, value: v.signed_rate == null ? -3 : v.signed_rate };
        }))
      }, {
        id: "villages", type: "scatter", coordinateSystem: "geo", cursor: "pointer", zlevel: 1,
        // Always shown, empty while the names would crowd: a label switched on after a roam is
        // drawn faded by ECharts, an empty one filled in is not.
        label: {
          show: true, position: "right", fontSize: 11, color: TEXT, textBorderColor: "#fff", textBorderWidth: 2,
          formatter: function (p) { return villageNamesShown() && byCode[p.name] ? byCode[p.name].name : ""; }
        },
        labelLayout: { hideOverlap: true },
        itemStyle: { borderColor: "#fff", borderWidth: 1, opacity: 0.9 },
        data: mapped.map(function (v) {
          return {
            name: v.code, value: centres[v.code].concat([v.signed_rate]),
            symbolSize: 6 + 18 * Math.sqrt(v.households / most),
            itemStyle: { color: rateColor(v.signed_rate) }
          };
        })
      }, {
        // the streets' names, at the middle of each street's area
        id: "streets", type: "scatter", coordinateSystem: "geo", zlevel: 1, symbolSize: 1, cursor: "pointer",
        itemStyle: { color: "rgba(0,0,0,0)" },
        label: {
          show: true, position: "inside", fontSize: 14, fontWeight: "bold", color: "#1e4d8c",
          textBorderColor: "#fff", textBorderWidth: 3,
          formatter: function (p) { return areas[p.name] ? areas[p.name].name : ""; }
        },
        data: streets.map(function (a) { return { name: a.key, value: centres[a.key] }; })
      }]
    });
    tiles(c);
  }

  // An offline tile server (GAIZAO_MAP_TILES) as the background: the web-mercator tiles that cover
  // the view, each an image placed by its corners' lon/lat (over a district's few kilometres the
  // map's equirectangular drawing and the tiles' projection differ by a pixel or two at most).
  function tiles(c) {
    if (!TILES) { return; }
    var w = c.getWidth(), h = c.getHeight();
    var nw = c.convertFromPixel({ geoIndex: 0 }, [0, 0]), se = c.convertFromPixel({ geoIndex: 0 }, [w, h]);
    if (!nw || !se) { return; }
    var perDegree = w / Math.max(se[0] - nw[0], 1e-9);
    var z = Math.max(0, Math.min(19, Math.round(Math.log2(360 * perDegree / 256))));
    var n = Math.pow(2, z);
    function tx(lon) { return Math.floor((lon + 180) / 360 * n); }
    function ty(lat) {
      var r = Math.max(-85, Math.min(85, lat)) * Math.PI / 180;
      return Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n);
    }
    function lon(x) { return x / n * 360 - 180; }
    function lat(y) { var k = Math.PI - 2 * Math.PI * y / n; return 180 / Math.PI * Math.atan(0.5 * (Math.exp(k) - Math.exp(-k))); }
    var images = [];
    for (var x = tx(nw[0]); x <= tx(se[0]) && images.length < 200; x++) {
      for (var y = ty(nw[1]); y <= ty(se[1]) && images.length < 200; y++) {
        var a = c.convertToPixel({ geoIndex: 0 }, [lon(x), lat(y)]);
        var b = c.convertToPixel({ geoIndex: 0 }, [lon(x + 1), lat(y + 1)]);
        var url = data.map.tiles.replace("{z}", z).replace("{x}", x).replace("{y}", y);
        images.push({ type: "image", silent: true, z: -100,
                      style: { image: url, x: a[0], y: a[1], width: b[0] - a[0], height: b[1] - a[1] } });
      }
    }
    c.setOption({ graphic: { elements: images } }, { replaceMerge: ["graphic"] });
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
    // a village opens its page, a street drills down to its dashboard (district view)
    charts["chart-map"].on("click", function (p) {
      if (byCode[p.name]) { go(byCode[p.name].url); } else if (areas[p.name]) { go(areas[p.name].url); }
    });
    charts["chart-map"].on("georoam", function () {
      var shown = villageNamesShown();
      zoom = charts["chart-map"].getOption().geo[0].zoom || 1;
      if (villageNamesShown() !== shown) { map(); } else { tiles(charts["chart-map"]); }
    });
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
  // For a "refresh now" from the console or a test: returns the promise of the round; and whether
  // the map names its villages now.
  window.gaizaoDashboard = { refresh: refresh, villageNamesShown: villageNamesShown };
})();
