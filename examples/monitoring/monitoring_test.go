// Package monitoring holds the Grafana dashboard and the Prometheus alerting
// rules of the cauri kit, and tests that check them against the kit's own
// metric definitions, so that a renamed metric, label or outcome breaks the
// build instead of a dashboard panel or an alert going silent.
//
// The metric definitions are read from the Go source of the root package
// (the prometheus.New*Vec calls), the PromQL of the dashboard and of
// alerts.yml is scanned by a small lexer, and, when promtool is on PATH, the
// rules are checked and unit-tested by promtool itself.
package monitoring

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

const (
	kitDir        = "../.."
	dashboardFile = "grafana-dashboard.json"
	alertsFile    = "alerts.yml"
	alertsTests   = "alerts_test.yml"
)

// targetLabels are added by Prometheus to every scraped series.
var targetLabels = []string{"job", "instance"}

// family is one metric family the kit defines.
type family struct {
	name   string   // as defined, e.g. cauri_onpaid_duration_seconds
	kind   string   // counter, gauge, histogram or summary
	labels []string // the variable labels
}

// kit is what the tests know of the kit's metrics.
type kit struct {
	families map[string]family // by family name
	series   map[string]family // by queryable series name (histograms: _bucket, _sum, _count)
	literals map[string]bool   // every string literal of the root package
}

// announced are metrics and label values that changes under way add to
// the kit, which the dashboard and the alerts already use. Until the root
// package defines one, the checks take it from here; once it does,
// TestAnnounced says to remove it, so that the checks hold the dashboard
// and the alerts to the kit's own spelling again.
var announced = struct {
	families []family
	values   []string
}{
	values: []string{},
}

// loadKit is parseKit with the announced metrics and values added.
func loadKit(t *testing.T) *kit {
	t.Helper()
	k := parseKit(t)
	for _, fam := range announced.families {
		if _, ok := k.families[fam.name]; !ok {
			k.families[fam.name] = fam
			k.series[fam.name] = fam // counters and gauges only
		}
	}
	for _, v := range announced.values {
		k.literals[v] = true
	}
	return k
}

// TestAnnounced fails once the kit defines what announced lists, so that
// the list does not outlive the changes it stands for.
func TestAnnounced(t *testing.T) {
	k := parseKit(t)
	for _, fam := range announced.families {
		if fam.kind != "counter" && fam.kind != "gauge" {
			t.Errorf("announced %s: a %s; loadKit adds counters and gauges only", fam.name, fam.kind)
		}
		if def, ok := k.families[fam.name]; ok {
			t.Errorf("the kit now defines %s (%s %v): remove it from announced in %s", fam.name, def.kind, def.labels, "monitoring_test.go")
			if def.kind != fam.kind || !slices.Equal(def.labels, fam.labels) {
				t.Errorf("%s: announced as %s %v, and the dashboard and alerts use it so", fam.name, fam.kind, fam.labels)
			}
		}
	}
	for _, v := range announced.values {
		if k.literals[v] {
			t.Errorf("the kit now writes %q: remove it from announced in monitoring_test.go", v)
		}
	}
}

// parseKit parses the root package's non-test Go files and collects every
// metric created with prometheus.New{Counter,Gauge,Histogram,Summary}[Vec]
// from literal options or with metrics.go's collectors helpers, and every
// string literal (the label values).
func parseKit(t *testing.T) *kit {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(kitDir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	k := &kit{families: map[string]family{}, series: map[string]family{}, literals: map[string]bool{}}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parsing %s: %v", path, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				// The helpers pass on their callers' names and labels: the
				// calls to them are the definitions.
				return !isCollectorsMethod(n)
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					if s, err := strconv.Unquote(n.Value); err == nil {
						k.literals[s] = true
					}
				}
			case *ast.CallExpr:
				fam, ok, err := metricCall(n)
				if !ok && err == nil {
					fam, ok, err = helperCall(n)
				}
				if err != nil {
					t.Fatalf("%s: %v", fset.Position(n.Pos()), err)
				} else if ok {
					if _, dup := k.families[fam.name]; dup {
						t.Fatalf("%s: metric %s defined twice", fset.Position(n.Pos()), fam.name)
					}
					k.families[fam.name] = fam
				}
			}
			return true
		})
	}
	kinds := map[string]int{}
	for _, fam := range k.families {
		kinds[fam.kind]++
		switch fam.kind {
		case "histogram":
			bucket := fam
			bucket.labels = append(slices.Clone(fam.labels), "le")
			k.series[fam.name+"_bucket"] = bucket
			k.series[fam.name+"_sum"] = fam
			k.series[fam.name+"_count"] = fam
		case "summary":
			quantile := fam
			quantile.labels = append(slices.Clone(fam.labels), "quantile")
			k.series[fam.name] = quantile
			k.series[fam.name+"_sum"] = fam
			k.series[fam.name+"_count"] = fam
		default:
			k.series[fam.name] = fam
		}
	}
	// A refactoring that hides the definitions from this parser must not
	// make every check below pass vacuously.
	if kinds["counter"] == 0 || kinds["gauge"] == 0 || kinds["histogram"] == 0 {
		t.Fatalf("found metric kinds %v in %s: expected counters, gauges and histograms; update loadKit to how metrics are defined now", kinds, kitDir)
	}
	return k
}

// isCollectorsMethod reports whether fn is a method of metrics.go's
// collectors.
func isCollectorsMethod(fn *ast.FuncDecl) bool {
	if fn.Recv == nil || len(fn.Recv.List) != 1 {
		return false
	}
	star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "collectors"
}

// helperCall recognises metrics.go's c.counter("name", "help", labels...),
// c.gauge(...) and c.histogram("name", "help", buckets, labels...).
func helperCall(call *ast.CallExpr) (family, bool, error) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return family{}, false, nil
	}
	first := map[string]int{"counter": 2, "gauge": 2, "histogram": 3}[sel.Sel.Name] // the first label's argument
	if first == 0 {
		return family{}, false, nil
	}
	if len(call.Args) < first {
		return family{}, false, fmt.Errorf("%s without a name, help or buckets", sel.Sel.Name)
	}
	var args []string
	for _, a := range slices.Concat(call.Args[:1], call.Args[first:]) {
		lit, ok := a.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return family{}, false, fmt.Errorf("%s: a name or label is not a string literal", sel.Sel.Name)
		}
		v, err := strconv.Unquote(lit.Value)
		if err != nil {
			return family{}, false, err
		}
		args = append(args, v)
	}
	return family{name: args[0], kind: sel.Sel.Name, labels: args[1:]}, true, nil
}

// metricCall recognises prometheus.NewXxx[Vec](XxxOpts{...}, []string{...}).
func metricCall(call *ast.CallExpr) (family, bool, error) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return family{}, false, nil
	}
	if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "prometheus" {
		return family{}, false, nil
	}
	name := strings.TrimPrefix(sel.Sel.Name, "New")
	vec := strings.HasSuffix(name, "Vec")
	kind := strings.ToLower(strings.TrimSuffix(name, "Vec"))
	switch kind {
	case "counter", "gauge", "histogram", "summary":
	default:
		return family{}, false, nil
	}
	if len(call.Args) == 0 {
		return family{}, false, fmt.Errorf("prometheus.%s without options", sel.Sel.Name)
	}
	opts, ok := call.Args[0].(*ast.CompositeLit)
	if !ok {
		return family{}, false, fmt.Errorf("prometheus.%s: options are not a literal; the monitoring test cannot read the metric's name", sel.Sel.Name)
	}
	parts := map[string]string{}
	for _, e := range opts.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key, _ := kv.Key.(*ast.Ident)
		if key == nil || (key.Name != "Namespace" && key.Name != "Subsystem" && key.Name != "Name") {
			continue
		}
		lit, ok := kv.Value.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return family{}, false, fmt.Errorf("prometheus.%s: %s is not a string literal", sel.Sel.Name, key.Name)
		}
		v, err := strconv.Unquote(lit.Value)
		if err != nil {
			return family{}, false, err
		}
		parts[key.Name] = v
	}
	fam := family{name: prometheus.BuildFQName(parts["Namespace"], parts["Subsystem"], parts["Name"]), kind: kind}
	if fam.name == "" {
		return family{}, false, fmt.Errorf("prometheus.%s without a name", sel.Sel.Name)
	}
	if vec {
		if len(call.Args) < 2 {
			return family{}, false, fmt.Errorf("%s: no label names", fam.name)
		}
		labels, ok := call.Args[1].(*ast.CompositeLit)
		if !ok {
			return family{}, false, fmt.Errorf("%s: label names are not a literal", fam.name)
		}
		for _, e := range labels.Elts {
			lit, ok := e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return family{}, false, fmt.Errorf("%s: a label name is not a string literal", fam.name)
			}
			l, err := strconv.Unquote(lit.Value)
			if err != nil {
				return family{}, false, err
			}
			fam.labels = append(fam.labels, l)
		}
	}
	return fam, true, nil
}

// matcher is one label matcher of a selector.
type matcher struct{ label, op, value string }

// selector is a metric name with its label matchers.
type selector struct {
	metric   string
	matchers []matcher
}

// refs is what a PromQL expression refers to.
type refs struct {
	selectors []selector
	grouping  []string // labels named in by, without, on, ignoring, group_left, group_right
}

// promqlFuncs are PromQL's functions, and Grafana's label_values, which
// only variable queries may use.
var promqlFuncs = setOf(
	"abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh",
	"avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh",
	"count_over_time", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg",
	"delta", "deriv", "double_exponential_smoothing", "end", "exp", "floor",
	"histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile",
	"histogram_stddev", "histogram_stdvar", "histogram_sum", "holt_winters", "hour", "idelta",
	"increase", "info", "irate", "label_join", "label_replace", "last_over_time", "ln", "log10",
	"log2", "mad_over_time", "max_over_time", "min_over_time", "minute", "month", "pi",
	"predict_linear", "present_over_time", "quantile_over_time", "rad", "rate", "resets",
	"round", "scalar", "sgn", "sin", "sinh", "sort", "sort_by_label", "sort_by_label_desc",
	"sort_desc", "sqrt", "start", "stddev_over_time", "stdvar_over_time", "sum_over_time",
	"tan", "tanh", "time", "timestamp", "vector", "year",
)

// promqlAggregators may be followed by a by or without clause before their
// parenthesis.
var promqlAggregators = setOf(
	"avg", "bottomk", "count", "count_values", "group", "limit_ratio", "limitk", "max", "min",
	"quantile", "stddev", "stdvar", "sum", "topk",
)

var (
	promqlGrouping = setOf("by", "without", "on", "ignoring", "group_left", "group_right")
	promqlKeywords = setOf("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan")
)

func setOf(s ...string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return m
}

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isIdent(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }

// lexer walks a PromQL expression; it recognises just enough of the
// language to find metric names, label matchers and grouping labels.
type lexer struct {
	s         string
	i         int
	allowVars bool // Grafana variables ($job, ${x}, $__rate_interval)
}

func (l *lexer) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d of %q: %s", l.i, l.s, fmt.Sprintf(format, args...))
}

func (l *lexer) skipSpace() {
	for l.i < len(l.s) {
		switch c := l.s[l.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			l.i++
		case c == '#':
			for l.i < len(l.s) && l.s[l.i] != '\n' {
				l.i++
			}
		default:
			return
		}
	}
}

func (l *lexer) ident() string {
	start := l.i
	for l.i < len(l.s) && isIdent(l.s[l.i]) {
		l.i++
	}
	return l.s[start:l.i]
}

// str reads a quoted string at l.i.
func (l *lexer) str() (string, error) {
	q := l.s[l.i]
	start := l.i
	l.i++
	for l.i < len(l.s) {
		c := l.s[l.i]
		switch {
		case c == '\\' && q != '`':
			l.i += 2
			continue
		case c == q:
			l.i++
			raw := l.s[start:l.i]
			if q == '\'' {
				raw = `"` + strings.ReplaceAll(raw[1:len(raw)-1], `"`, `\"`) + `"`
			}
			v, err := strconv.Unquote(raw)
			if err != nil {
				return "", l.errorf("bad string %s: %v", l.s[start:l.i], err)
			}
			return v, nil
		}
		l.i++
	}
	return "", l.errorf("unterminated string")
}

// variable reads a Grafana variable at l.i.
func (l *lexer) variable() error {
	if !l.allowVars {
		return l.errorf("Grafana variable outside a dashboard")
	}
	l.i++
	if l.i < len(l.s) && l.s[l.i] == '{' {
		end := strings.IndexByte(l.s[l.i:], '}')
		if end < 0 {
			return l.errorf("unterminated ${")
		}
		l.i += end + 1
		return nil
	}
	if l.ident() == "" {
		return l.errorf("empty variable name")
	}
	return nil
}

// matchers reads {label op "value", ...} at l.i.
func (l *lexer) matchers() ([]matcher, error) {
	l.i++ // {
	var ms []matcher
	for {
		l.skipSpace()
		if l.i >= len(l.s) {
			return nil, l.errorf("unterminated {")
		}
		if l.s[l.i] == '}' {
			l.i++
			return ms, nil
		}
		if l.s[l.i] == ',' {
			l.i++
			continue
		}
		name := l.ident()
		if name == "" {
			return nil, l.errorf("expected a label name")
		}
		l.skipSpace()
		var op string
		for _, o := range []string{"=~", "!~", "!=", "="} {
			if strings.HasPrefix(l.s[l.i:], o) {
				op = o
				break
			}
		}
		if op == "" {
			return nil, l.errorf("expected a matcher operator after %s", name)
		}
		l.i += len(op)
		l.skipSpace()
		if l.i >= len(l.s) || !strings.ContainsRune("\"'`", rune(l.s[l.i])) {
			return nil, l.errorf("expected a quoted value for %s", name)
		}
		v, err := l.str()
		if err != nil {
			return nil, err
		}
		ms = append(ms, matcher{label: name, op: op, value: v})
	}
}

// labelList reads (a, b, c) at l.i.
func (l *lexer) labelList() ([]string, error) {
	l.skipSpace()
	if l.i >= len(l.s) || l.s[l.i] != '(' {
		return nil, l.errorf("expected ( after a grouping keyword")
	}
	l.i++
	var out []string
	for {
		l.skipSpace()
		if l.i >= len(l.s) {
			return nil, l.errorf("unterminated label list")
		}
		switch c := l.s[l.i]; {
		case c == ')':
			l.i++
			return out, nil
		case c == ',':
			l.i++
		case isIdentStart(c):
			out = append(out, l.ident())
		default:
			return nil, l.errorf("unexpected %q in a label list", c)
		}
	}
}

// parseRefs scans a PromQL expression for what it refers to. It rejects
// unknown functions, selectors without a metric name and, unless
// allowVars, Grafana variables.
func parseRefs(expr string, allowVars bool) (refs, error) {
	l := &lexer{s: expr, allowVars: allowVars}
	var r refs
	for {
		l.skipSpace()
		if l.i >= len(l.s) {
			break
		}
		c := l.s[l.i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			if _, err := l.str(); err != nil {
				return refs{}, err
			}
		case c == '[':
			end := strings.IndexByte(l.s[l.i:], ']')
			if end < 0 {
				return refs{}, l.errorf("unterminated [")
			}
			l.i += end + 1
		case c == '{':
			return refs{}, l.errorf("selector without a metric name")
		case c == '$':
			if err := l.variable(); err != nil {
				return refs{}, err
			}
		case '0' <= c && c <= '9' || c == '.':
			// A number or a duration (5m, 1h30m, 1e3, 0x1f).
			for l.i < len(l.s) && (isIdent(l.s[l.i]) || l.s[l.i] == '.') {
				l.i++
			}
		case isIdentStart(c):
			word := l.ident()
			lower := strings.ToLower(word)
			l.skipSpace()
			next := byte(0)
			if l.i < len(l.s) {
				next = l.s[l.i]
			}
			switch {
			case promqlGrouping[lower]:
				if (lower == "group_left" || lower == "group_right") && next != '(' {
					continue
				}
				labels, err := l.labelList()
				if err != nil {
					return refs{}, err
				}
				r.grouping = append(r.grouping, labels...)
			case promqlKeywords[lower]:
			case promqlAggregators[word]:
			case next == '(':
				if !promqlFuncs[word] {
					return refs{}, l.errorf("unknown function %s", word)
				}
			default:
				sel := selector{metric: word}
				if next == '{' {
					ms, err := l.matchers()
					if err != nil {
						return refs{}, err
					}
					sel.matchers = ms
				}
				r.selectors = append(r.selectors, sel)
			}
		default:
			l.i++ // operators, parentheses, commas
		}
	}
	return r, nil
}

// wordValue is a label value or regex alternative the kit would write.
var wordValue = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// dashboardVars says what a dashboard selector must filter on.
var dashboardVars = map[string]string{"job": "$job", "provider": "$provider"}

// check returns what is wrong with expr's references to the kit: unknown
// metrics, labels the metric does not have, grouping by labels none of the
// expression's metrics has, outcome-like values the kit's source never
// writes, and, for dashboards (allowVars), selectors that ignore the $job
// and $provider variables.
func (k *kit) check(expr string, allowVars bool) []error {
	r, err := parseRefs(expr, allowVars)
	if err != nil {
		return []error{err}
	}
	if len(r.selectors) == 0 {
		return []error{fmt.Errorf("%q: no metric", expr)}
	}
	var errs []error
	known := setOf(targetLabels...)
	for _, sel := range r.selectors {
		fam, ok := k.series[sel.metric]
		if !ok {
			errs = append(errs, fmt.Errorf("%q: the kit has no metric %s", expr, sel.metric))
			continue
		}
		has := setOf(append(slices.Clone(fam.labels), targetLabels...)...)
		for l := range has {
			known[l] = true
		}
		seen := map[string]string{}
		for _, m := range sel.matchers {
			seen[m.label] = m.op + m.value
			switch {
			case !allowVars && strings.Contains(m.value, "$"):
				errs = append(errs, fmt.Errorf("%q: %s=%q: Grafana variable outside a dashboard", expr, m.label, m.value))
			case !has[m.label]:
				errs = append(errs, fmt.Errorf("%q: %s has no label %s (it has %v)", expr, sel.metric, m.label, fam.labels))
			case m.label == "job" || m.label == "instance" || m.label == "provider" || m.label == "le" || m.label == "quantile":
				// Values from the scrape configuration, the kit's
				// configuration, or numbers.
			default:
				for _, alt := range strings.Split(m.value, "|") {
					if !wordValue.MatchString(alt) || !k.literals[alt] {
						errs = append(errs, fmt.Errorf("%q: %s=%q: the kit's source never writes %q", expr, m.label, m.value, alt))
					}
				}
			}
		}
		if allowVars {
			for label, v := range dashboardVars {
				if has[label] && seen[label] != "=~"+v {
					errs = append(errs, fmt.Errorf("%q: %s must be filtered with %s=~%q", expr, sel.metric, label, v))
				}
			}
		}
	}
	for _, g := range r.grouping {
		if !known[g] {
			errs = append(errs, fmt.Errorf("%q: grouping by %s, which none of its metrics has", expr, g))
		}
	}
	return errs
}

// labelValuesQuery matches Grafana's label_values(selector, label).
var labelValuesQuery = regexp.MustCompile(`^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$`)

// checkVariableQuery checks a Grafana label_values variable query.
func (k *kit) checkVariableQuery(q string) []error {
	m := labelValuesQuery.FindStringSubmatch(strings.TrimSpace(q))
	if m == nil {
		return []error{fmt.Errorf("variable query %q is not label_values(selector, label)", q)}
	}
	r, err := parseRefs(m[1], true)
	if err != nil {
		return []error{err}
	}
	if len(r.selectors) != 1 {
		return []error{fmt.Errorf("variable query %q: want one selector", q)}
	}
	fam, ok := k.series[r.selectors[0].metric]
	if !ok {
		return []error{fmt.Errorf("variable query %q: the kit has no metric %s", q, r.selectors[0].metric)}
	}
	if !slices.Contains(append(slices.Clone(fam.labels), targetLabels...), m[2]) {
		return []error{fmt.Errorf("variable query %q: %s has no label %s", q, fam.name, m[2])}
	}
	return nil
}

func TestKitMetricsParsed(t *testing.T) {
	k := loadKit(t)
	// The families the brief and the README list; the parser must see
	// them, with these labels, or every other check here is hollow.
	tests := []struct {
		name   string
		kind   string
		labels []string
	}{
		{"cauri_provider_requests_total", "counter", []string{"provider", "operation", "outcome"}},
		{"cauri_provider_request_duration_seconds", "histogram", []string{"provider", "operation"}},
		{"cauri_circuit_breaker_state", "gauge", []string{"provider"}},
		{"cauri_webhooks_total", "counter", []string{"provider", "outcome"}},
		{"cauri_onpaid_duration_seconds", "histogram", []string{"provider"}},
		{"cauri_reconcile_passes_total", "counter", []string{"outcome"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fam, ok := k.families[tt.name]
			if !ok {
				t.Fatalf("not found among %d families", len(k.families))
			}
			if fam.kind != tt.kind || !slices.Equal(fam.labels, tt.labels) {
				t.Errorf("got %s %v, want %s %v", fam.kind, fam.labels, tt.kind, tt.labels)
			}
		})
	}
}

func TestCheckerCatchesMistakes(t *testing.T) {
	k := loadKit(t)
	const dash = `job=~"$job", provider=~"$provider"`
	tests := []struct {
		name      string
		expr      string
		allowVars bool
		wantErr   string // substring of the first error; "" for none
	}{
		{"valid alert expression", `sum by (job, provider) (rate(cauri_webhooks_total{outcome=~"unauthenticated|malformed"}[5m])) > 0`, false, ""},
		{"valid histogram quantile", `histogram_quantile(0.9, sum by (le, provider) (rate(cauri_onpaid_duration_seconds_bucket{` + dash + `}[$__rate_interval])))`, true, ""},
		{"valid offset and unless", `cauri_webhooks_total{outcome="amount_mismatch"} > 0 unless cauri_webhooks_total{outcome="amount_mismatch"} offset 15m`, false, ""},
		{"unknown metric beside a known one", `x_total unless cauri_webhooks_total offset 15m`, false, "no metric x_total"},
		{"renamed metric", `rate(cauri_webhook_total[5m])`, false, "no metric cauri_webhook_total"},
		{"histogram without suffix", `rate(cauri_onpaid_duration_seconds[5m])`, false, "no metric cauri_onpaid_duration_seconds"},
		{"unknown label", `cauri_circuit_breaker_state{outcome="open"}`, false, "has no label outcome"},
		{"le on a counter", `cauri_onpaid_total{le="1"}`, false, "has no label le"},
		{"misspelt outcome", `cauri_webhooks_total{outcome="unauthenticted"}`, false, `never writes "unauthenticted"`},
		{"misspelt regex alternative", `cauri_webhooks_total{outcome=~"malformed|amount_missmatch"}`, false, `never writes "amount_missmatch"`},
		{"grouping by a missing label", `sum by (operation) (cauri_webhooks_total)`, false, "grouping by operation"},
		{"unknown function", `histogram_quantil(0.5, cauri_onpaid_duration_seconds_bucket)`, false, "unknown function"},
		{"variable in an alert", `cauri_circuit_breaker_state{provider=~"$provider"}`, false, "Grafana variable"},
		{"dashboard ignoring $provider", `sum(rate(cauri_checkouts_total{job=~"$job"}[$__rate_interval]))`, true, `provider=~"$provider"`},
		{"dashboard ignoring $job", `cauri_reconcile_passes_total`, true, `job=~"$job"`},
		{"selector without a name", `{__name__="cauri_checkouts_total"}`, false, "without a metric name"},
		{"no metric at all", `vector(1)`, false, "no metric"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := k.check(tt.expr, tt.allowVars)
			switch {
			case tt.wantErr == "" && len(errs) > 0:
				t.Errorf("unexpected errors: %v", errs)
			case tt.wantErr != "" && len(errs) == 0:
				t.Errorf("no error, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(errs[0].Error(), tt.wantErr):
				t.Errorf("error %q, want one containing %q", errs[0], tt.wantErr)
			}
		})
	}
}

// dashboard is the part of Grafana's classic JSON model the tests look at.
type dashboard struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Templating    struct {
		List []struct {
			Type  string          `json:"type"`
			Name  string          `json:"name"`
			Query json.RawMessage `json:"query"`
			Multi bool            `json:"multi"`
		} `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID          int    `json:"id"`
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Datasource  *dsRef `json:"datasource"`
	GridPos     struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		RefID      string `json:"refId"`
		Expr       string `json:"expr"`
		Datasource *dsRef `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(raw) {
		t.Fatalf("%s is not valid JSON", dashboardFile)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

// allPanels flattens rows' nested panels (collapsed rows keep theirs).
func allPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

func TestDashboard(t *testing.T) {
	k := loadKit(t)
	d := loadDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q, title %q: both are needed for a stable import", d.UID, d.Title)
	}
	if d.SchemaVersion < 39 {
		t.Errorf("schemaVersion %d: write the current classic model (39 or later)", d.SchemaVersion)
	}

	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
		var q string
		if err := json.Unmarshal(v.Query, &q); err != nil {
			var obj struct{ Query string }
			if err := json.Unmarshal(v.Query, &obj); err != nil {
				t.Errorf("variable %s: unreadable query %s", v.Name, v.Query)
				continue
			}
			q = obj.Query
		}
		switch v.Type {
		case "datasource":
			if q != "prometheus" {
				t.Errorf("variable %s: datasource type %q, want prometheus", v.Name, q)
			}
		case "query":
			if !v.Multi {
				t.Errorf("variable %s: should allow several values", v.Name)
			}
			for _, err := range k.checkVariableQuery(q) {
				t.Errorf("variable %s: %v", v.Name, err)
			}
		}
	}
	for name, typ := range map[string]string{"datasource": "datasource", "job": "query", "provider": "query"} {
		if vars[name] != typ {
			t.Errorf("variable %s: type %q, want %q", name, vars[name], typ)
		}
	}

	used := map[string]bool{}
	ids := map[int]string{}
	var boxes []panel
	exprs := 0
	for _, p := range allPanels(d.Panels) {
		if other, dup := ids[p.ID]; dup {
			t.Errorf("panel id %d used by %q and %q", p.ID, other, p.Title)
		}
		ids[p.ID] = p.Title
		if g := p.GridPos; g.W < 1 || g.X < 0 || g.X+g.W > 24 || g.H < 1 || g.Y < 0 {
			t.Errorf("panel %q: gridPos %+v outside the 24-column grid", p.Title, g)
		}
		boxes = append(boxes, p)
		if p.Type == "row" {
			continue
		}
		if p.Title == "" || p.Description == "" {
			t.Errorf("panel %d: title %q and description %q are both needed", p.ID, p.Title, p.Description)
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q: datasource %+v, want uid ${datasource}", p.Title, p.Datasource)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q: no query", p.Title)
		}
		refIDs := map[string]bool{}
		for _, tg := range p.Targets {
			if tg.RefID == "" || refIDs[tg.RefID] {
				t.Errorf("panel %q: refId %q empty or repeated", p.Title, tg.RefID)
			}
			refIDs[tg.RefID] = true
			if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q %s: datasource %+v, want uid ${datasource}", p.Title, tg.RefID, tg.Datasource)
			}
			exprs++
			for _, err := range k.check(tg.Expr, true) {
				t.Errorf("panel %q %s: %v", p.Title, tg.RefID, err)
			}
			if r, err := parseRefs(tg.Expr, true); err == nil {
				for _, s := range r.selectors {
					if fam, ok := k.series[s.metric]; ok {
						used[fam.name] = true
					}
				}
			}
		}
	}
	if exprs == 0 {
		t.Fatal("no queries found in the dashboard")
	}
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			ag, bg := a.GridPos, b.GridPos
			if ag.X < bg.X+bg.W && bg.X < ag.X+ag.W && ag.Y < bg.Y+bg.H && bg.Y < ag.Y+ag.H {
				t.Errorf("panels %q and %q overlap", a.Title, b.Title)
			}
		}
	}
	for name := range k.families {
		if !used[name] {
			t.Errorf("the kit's metric %s is on no panel of the dashboard", name)
		}
	}
}

// rule is one alerting or recording rule read from a rules file.
type rule struct {
	name, expr, severity, summary, description string
	line                                       int
}

var yamlKey = regexp.MustCompile(`^(\s*)(- )?([A-Za-z_][A-Za-z0-9_]*):[ \t]*(.*)$`)

// yamlScalar turns a one-line YAML scalar into its value.
func yamlScalar(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(v, `"`):
		if s, err := strconv.Unquote(v); err == nil {
			return s
		}
	case strings.HasPrefix(v, `'`) && strings.HasSuffix(v, `'`) && len(v) >= 2:
		return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v
}

// yamlEntry is one key: value of a YAML file, block scalars joined.
type yamlEntry struct {
	key, value string
	item       bool // the key opens a list item (- key:)
	line       int
}

// readYAML reads the keys and scalar values of a block-style YAML file
// line by line: enough for rules files and promtool tests, whose shape the
// tests below rely on and promtool checks in full.
func readYAML(t *testing.T, path string) []yamlEntry {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	var out []yamlEntry
	for i := 0; i < len(lines); i++ {
		m := yamlKey.FindStringSubmatch(lines[i])
		if m == nil || strings.HasPrefix(strings.TrimSpace(lines[i]), "#") {
			continue
		}
		e := yamlEntry{key: m[3], item: m[2] != "", line: i + 1}
		indent := len(m[1]) + len(m[2])
		switch v := strings.TrimSpace(m[4]); v {
		case "|", "|-", "|+", ">", ">-", ">+":
			var block []string
			for i+1 < len(lines) {
				next := lines[i+1]
				if strings.TrimSpace(next) != "" && len(next)-len(strings.TrimLeft(next, " ")) <= indent {
					break
				}
				block = append(block, strings.TrimSpace(next))
				i++
			}
			sep := "\n"
			if v[0] == '>' {
				sep = " "
			}
			e.value = strings.TrimSpace(strings.Join(block, sep))
		default:
			e.value = yamlScalar(v)
		}
		out = append(out, e)
	}
	return out
}

func readRules(t *testing.T) []rule {
	t.Helper()
	var rules []rule
	for _, e := range readYAML(t, alertsFile) {
		if e.item && (e.key == "alert" || e.key == "record") {
			rules = append(rules, rule{name: e.value, line: e.line})
			continue
		}
		if len(rules) == 0 {
			continue
		}
		r := &rules[len(rules)-1]
		switch e.key {
		case "expr":
			r.expr = e.value
		case "severity":
			r.severity = e.value
		case "summary":
			r.summary = e.value
		case "description":
			r.description = e.value
		}
	}
	return rules
}

func TestAlertRules(t *testing.T) {
	k := loadKit(t)
	rules := readRules(t)
	if len(rules) == 0 {
		t.Fatalf("no rules read from %s", alertsFile)
	}
	seen := map[string]bool{}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			if seen[r.name] {
				t.Errorf("line %d: %s defined twice", r.line, r.name)
			}
			seen[r.name] = true
			if !strings.HasPrefix(r.name, "Cauri") {
				t.Errorf("line %d: name %s: start alert names with Cauri", r.line, r.name)
			}
			switch r.severity {
			case "critical", "warning", "info":
			default:
				t.Errorf("line %d: severity %q, want critical, warning or info", r.line, r.severity)
			}
			if r.summary == "" || r.description == "" {
				t.Errorf("line %d: summary %q and description %q are both needed", r.line, r.summary, r.description)
			}
			for _, err := range k.check(r.expr, false) {
				t.Errorf("line %d: %v", r.line, err)
			}
		})
	}
}

// TestAlertTestsCoverEveryAlert checks alerts_test.yml's input series
// against the kit's metrics, and that every alert is shown both firing and
// silent there. promtool would pass a test naming a misspelt alert that
// expects nothing.
func TestAlertTestsCoverEveryAlert(t *testing.T) {
	k := loadKit(t)
	rules := map[string]bool{}
	for _, r := range readRules(t) {
		rules[r.name] = true
	}
	firing, silent := map[string]bool{}, map[string]bool{}
	var alert string
	series := 0
	for _, e := range readYAML(t, alertsTests) {
		switch e.key {
		case "series":
			series++
			r, err := parseRefs(e.value, false)
			if err != nil || len(r.selectors) != 1 {
				t.Errorf("line %d: series %q: %v", e.line, e.value, err)
				continue
			}
			for _, err := range k.check(e.value, false) {
				t.Errorf("line %d: %v", e.line, err)
			}
		case "alertname":
			alert = e.value
			if !rules[alert] {
				t.Errorf("line %d: %s is not an alert of %s", e.line, alert, alertsFile)
			}
		case "exp_alerts":
			if e.value == "[]" {
				silent[alert] = true
			} else {
				firing[alert] = true
			}
		}
	}
	if series == 0 {
		t.Fatalf("no input series read from %s", alertsTests)
	}
	for name := range rules {
		if !firing[name] || !silent[name] {
			t.Errorf("%s: tested firing %v, silent %v; test both", name, firing[name], silent[name])
		}
	}
}

// dashboardRules writes every dashboard query, its Grafana variables
// replaced, as a recording rule for promtool to parse.
func dashboardRules(t *testing.T) string {
	t.Helper()
	d := loadDashboard(t)
	vars := strings.NewReplacer(
		"$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h",
		"$job", ".*", "$provider", ".*",
	)
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for _, p := range allPanels(d.Panels) {
		for _, tg := range p.Targets {
			expr, err := json.Marshal(vars.Replace(tg.Expr)) // a JSON string is a YAML double-quoted scalar
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "      - record: cauri_dashboard:panel_%d_%s\n        expr: %s\n", p.ID, tg.RefID, expr)
		}
	}
	path := filepath.Join(t.TempDir(), "dashboard-rules.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPromtool has promtool check alerts.yml and the dashboard's queries
// and run alerts_test.yml. It skips when promtool is not installed.
func TestPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not on PATH, so alerts.yml is not checked or unit-tested by it: install it (Debian: apt-get install --no-install-recommends prometheus) to run this test")
	}
	tests := []struct {
		name string
		args []string
		want string
		long bool // skipped under -short
	}{
		{"check alerts.yml", []string{"check", "rules", alertsFile}, "SUCCESS", false},
		{"test alerts_test.yml", []string{"test", "rules", alertsTests}, "SUCCESS", true},
		{"check dashboard queries", []string{"check", "rules", dashboardRules(t)}, "SUCCESS", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.long && testing.Short() {
				t.Skip("-short: promtool's unit tests of the alerts run in the full suite")
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, promtool, tt.args...).CombinedOutput()
			if err != nil {
				t.Fatalf("promtool %s: %v\n%s", strings.Join(tt.args, " "), err, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("promtool %s said:\n%s\nwant %s", strings.Join(tt.args, " "), out, tt.want)
			}
			t.Logf("promtool %s:\n%s", strings.Join(tt.args, " "), out)
		})
	}
}
