// Small helpers that build Grafana dashboard JSON (schemaVersion 42, as
// Grafana 12 saves it). No grafonnet: the dashboard needs a handful of
// panel types, and these functions give each the defaults Grafana writes
// when it saves a dashboard, so the JSON does not change when a user
// imports and saves it.
{
  // Grafana's named colours.
  colors:: { green: 'green', orange: 'orange', red: 'red', blue: 'blue', grey: 'text' },

  datasource:: { type: 'prometheus', uid: '${datasource}' },

  // ------------------------------------------------------------ queries

  query(ref, expr):: {
    datasource: $.datasource,
    editorMode: 'code',
    expr: expr,
    refId: ref,
  },

  // instant is an instant query: the value now, for stats.
  instant(ref, expr):: $.query(ref, expr) { instant: true, range: false },

  // instantTable is an instant query in table format: labels as columns.
  instantTable(ref, expr):: $.instant(ref, expr) { format: 'table' },

  // namedInstant is an instant query whose value is shown under legend.
  namedInstant(ref, expr, legend):: $.instant(ref, expr) { legendFormat: legend },

  // rangeQuery is a range query for graphs.
  rangeQuery(ref, expr, legend):: $.query(ref, expr) { instant: false, range: true, legendFormat: legend },

  // ------------------------------------------------------------ panels

  // panel is what every panel has: the title, the description, the size in
  // grid units (w of 24 columns, h rows; the layout places it) and the
  // queries.
  panel(type, title, desc, w, h, targets):: {
    type: type,
    title: title,
    description: desc,
    transparent: false,
    datasource: $.datasource,
    repeatDirection: 'h',
    targets: targets,
    size:: { w: w, h: h },
    fieldConfig: { defaults: {}, overrides: [] },
  },

  // stat is a stat panel: the latest value, no sparkline, coloured
  // background, automatic layout.
  stat(title, desc, w, h, targets):: $.panel('stat', title, desc, w, h, targets) {
    options: {
      graphMode: 'none',
      colorMode: 'background',
      justifyMode: 'auto',
      textMode: 'auto',
      wideLayout: true,
      showPercentChange: false,
      reduceOptions: { values: false, calcs: ['lastNotNull'] },
      percentChangeColorMode: 'standard',
      orientation: 'auto',
    },
  },

  // labelledStat shows each value with its name, the legend of its query
  // (namedInstant).
  labelledStat(title, desc, w, h, targets):: $.stat(title, desc, w, h, targets) {
    options+: { textMode: 'value_and_name' },
  },

  // table is a table of instant queries (instantTable); its
  // transformations pick and name the columns (labelColumns,
  // joinedColumns). Grafana's table model wants a footer reducer even with
  // the footer hidden.
  table(title, desc, w, h, targets):: $.panel('table', title, desc, w, h, targets) {
    options: {
      frameIndex: 0,
      showHeader: true,
      showTypeIcons: false,
      footer: { show: false, reducer: ['sum'], countRows: false },
      cellHeight: 'sm',
    },
    fieldConfig+: { defaults+: { custom: { align: 'auto', inspect: false } } },
  },

  legend:: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] },

  // tableLegend lists the series below a graph.
  tableLegend:: { options+: { legend: $.legend } },

  // graph is a time series panel of range queries.
  graph(title, desc, w, h, targets):: $.panel('timeseries', title, desc, w, h, targets) {
    options: {
      legend: $.legend { showLegend: false },
      tooltip: { mode: '', sort: '' },
    },
    fieldConfig+: { defaults+: { custom: {} } },
  },

  // timeline is a state timeline of range queries: coloured lanes, no
  // values written, equal neighbours merged. Its value mappings name the
  // states.
  timeline(title, desc, w, h, targets):: $.panel('state-timeline', title, desc, w, h, targets) {
    options: {
      showValue: 'never',
      rowHeight: 0.9,
      mergeValues: true,
      alignValue: 'left',
      legend: $.legend { showLegend: false },
      tooltip: { mode: '', sort: '' },
      perPage: 20,
    },
    fieldConfig+: { defaults+: { custom: { lineWidth: 0, fillOpacity: 70 } } },
  },

  // ------------------------------------------------------------ panel parts
  // Each is a mixin: panel + $.unit('s') + $.min(0).

  defaults(o):: { fieldConfig+: { defaults+: o } },
  unit(u):: $.defaults({ unit: u }),
  decimals(n):: $.defaults({ decimals: n }),
  min(n):: $.defaults({ min: n }),
  noValue(s):: $.defaults({ noValue: s }),
  thresholds(t):: $.defaults({ thresholds: t }),
  mappings(m):: $.defaults({ mappings: m }),
  options(o):: { options+: o },

  override(matcher, name, props):: {
    fieldConfig+: { overrides+: [{ matcher: { id: matcher, options: name }, properties: props }] },
  },
  // overrideByName sets props on the column or series named name.
  overrideByName(name, props):: $.override('byName', name, props),
  // overrideByQuery sets props on the values of the query ref.
  overrideByQuery(ref, props):: $.override('byFrameRefID', ref, props),

  sortBy(name, desc=false):: { options+: { sortBy: [{ displayName: name } + (if desc then { desc: true } else {})] } },

  transformations(t):: { transformations: t },

  // steps is a threshold: base colour below at, over colour from at up.
  steps(base, at, over):: {
    mode: 'absolute',
    steps: [{ value: null, color: base }, { value: at, color: over }],
  },

  prop(id, value):: { id: id, value: value },
  unitProp(u):: $.prop('unit', u),
  mappingsProp(m):: $.prop('mappings', m),
  cellColorBackground:: $.prop('custom.cellOptions', { type: 'color-background' }),
  cellColorText:: $.prop('custom.cellOptions', { type: 'color-text' }),
  // mappedCells names a column's values by m and colours the cells.
  mappedCells(m):: [$.mappingsProp(m), $.cellColorBackground],

  // ------------------------------------------------------------ value mappings

  result(text, color, index):: { text: text, index: index } + (if color != '' then { color: color } else {}),

  // valueMappings is the one value mapping opts ({value: result}).
  valueMappings(opts):: [{ type: 'value', options: opts }],

  rangeMapping(from, to, result):: { type: 'range', options: { from: from, to: to, result: result } },

  // boolMappings maps a 0/1 gauge to words and colours.
  boolMappings(one, oneColor, zero, zeroColor):: $.valueMappings({
    '1': $.result(one, oneColor, 0),
    '0': $.result(zero, zeroColor, 1),
  }),

  // codeMappings names the numbers 0, 1, ... as names, coloured colors.
  codeMappings(names, colors):: $.valueMappings({
    [std.toString(i)]: $.result(names[i], colors[i], i)
    for i in std.range(0, std.length(names) - 1)
  }),

  // ------------------------------------------------------------ tables

  // organize shows cols ([field, header] pairs: a query's label, or
  // "Value #<refId>" once joined) in that order, without the fields in
  // exclude.
  organize(exclude, cols):: {
    id: 'organize',
    options: {
      excludeByName: { [f]: true for f in exclude },
      indexByName: { [cols[i][0]]: i for i in std.range(0, std.length(cols) - 1) },
      renameByName: { [c[0]]: c[1] for c in cols },
    },
  },

  // labelColumns makes the table of one instant query show its labels as
  // cols, in that order, without the time and the value.
  labelColumns(cols):: [$.organize(['Time', 'Value'], cols)],

  // joinedColumns joins the table's instant queries into one row per
  // label set and shows cols in that order, without the fields in hide.
  joinedColumns(hide, cols):: [{ id: 'merge', options: {} }, $.organize(hide, cols)],

  // ------------------------------------------------------------ layout

  // row is a dashboard row and the panels under it.
  row(title, panels):: { title: title, panels: panels },

  // layout places rows and their panels on the 24-column grid as Grafana
  // does: each row on a line of its own, its panels left to right,
  // wrapping to a new line below the tallest panel of the line when one
  // does not fit. Panel ids count up in layout order: Grafana wants them
  // unique, and fixed ids keep links (viewPanel=) working.
  layout(rows)::
    local place(s, p) =
      local wrap = s.x + p.size.w > 24;
      local x = if wrap then 0 else s.x;
      local y = if wrap then s.y + s.lineH else s.y;
      s {
        x: x + p.size.w,
        y: y,
        lineH: if wrap then p.size.h else std.max(s.lineH, p.size.h),
        id: s.id + 1,
        out+: [p { id: s.id + 1, gridPos: { x: x, y: y, w: p.size.w, h: p.size.h } }],
      };
    local addRow(s, r) =
      local y = s.y + s.lineH;
      local rowPanel = {
        type: 'row',
        collapsed: false,
        title: r.title,
        gridPos: { h: 1, w: 24, x: 0, y: y },
        id: s.id + 1,
        panels: [],
      };
      std.foldl(place, r.panels, s { x: 0, y: y + 1, lineH: 0, id: s.id + 1, out+: [rowPanel] });
    std.foldl(addRow, rows, { x: 0, y: 0, lineH: 0, id: 0, out: [] }).out,
}
