package loadharness

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Plan is the plan PostgreSQL chose for one statement the kit made,
// captured as the kit made it: EXPLAIN (ANALYZE, BUFFERS) of the same text
// with the same arguments, run just before it on the same connection in a
// transaction (or a savepoint) that is rolled back, so that a write's plan
// is measured on the rows the real statement then finds.
type Plan struct {
	Labels []string // what the harness was doing when the kit made it, first one first
	Query  string
	Text   string // EXPLAIN's output, or the error it gave
	// SeqScans are the tables the plan reads with a sequential scan.
	SeqScans []string
}

// recorder captures, while on, the plan of each statement text the first
// time a connection of its pool runs it. It sits between database/sql and
// the pgx driver (recConnector), so it sees every statement the store
// makes, whatever its code: the store's query texts are its own, built per
// dialect, and change with its schema.
type recorder struct {
	on    atomic.Bool
	mu    sync.Mutex
	label string
	plans []*Plan
	seen  map[string]*Plan

	// While timing, the time each statement text took, from the call to
	// the driver to its return (for a query, to its first row).
	timing atomic.Bool
	tmu    sync.Mutex
	times  map[string]*StmtTime
}

// StmtTime is the time the statements of one text took while the
// recorder was timing them.
type StmtTime struct {
	Query string
	Count int
	Total time.Duration
}

func newRecorder() *recorder { return &recorder{seen: make(map[string]*Plan)} }

// time starts timing the statements, afresh, until the function it
// returns is called; that function returns their times by text, the
// most time first.
func (r *recorder) time() (stop func() []StmtTime) {
	r.tmu.Lock()
	r.times = make(map[string]*StmtTime)
	r.tmu.Unlock()
	r.timing.Store(true)
	return func() []StmtTime {
		r.timing.Store(false)
		r.tmu.Lock()
		defer r.tmu.Unlock()
		out := make([]StmtTime, 0, len(r.times))
		for _, t := range r.times {
			out = append(out, *t)
		}
		slices.SortFunc(out, func(a, b StmtTime) int { return cmp.Compare(b.Total, a.Total) })
		return out
	}
}

// timed runs f, a statement of text query, and adds its time when timing.
func timed[T any](r *recorder, query string, f func() (T, error)) (T, error) {
	if !r.timing.Load() {
		return f()
	}
	t0 := time.Now()
	v, err := f()
	d := time.Since(t0)
	r.tmu.Lock()
	defer r.tmu.Unlock()
	t := r.times[query]
	if t == nil {
		t = &StmtTime{Query: query}
		r.times[query] = t
	}
	t.Count++
	t.Total += d
	return v, err
}

// record turns capturing on under label (a new label for statements
// already seen adds to their labels), until the function it returns is
// called.
func (r *recorder) record(label string) (stop func()) {
	r.mu.Lock()
	r.label = label
	r.mu.Unlock()
	r.on.Store(true)
	return func() { r.on.Store(false) }
}

// take returns the plans captured so far, in the order they were, and
// forgets them.
func (r *recorder) take() []*Plan {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.plans
	r.plans, r.seen = nil, make(map[string]*Plan)
	return out
}

// wanted reports whether query's plan is to be captured now: capturing is
// on, the statement reads or writes rows, and its text is new. A text seen
// before gets the current label.
func (r *recorder) wanted(query string) bool {
	if !r.on.Load() || !explainable(query) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.seen[query]; ok {
		if !slices.Contains(p.Labels, r.label) {
			p.Labels = append(p.Labels, r.label)
		}
		return false
	}
	p := &Plan{Labels: []string{r.label}, Query: query}
	r.seen[query] = p
	r.plans = append(r.plans, p)
	return true
}

func (r *recorder) setPlan(query, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.seen[query]; ok {
		p.Text = text
		p.SeqScans = seqScans(text)
	}
}

// explainable reports whether query is a statement EXPLAIN takes.
func explainable(query string) bool {
	f := strings.Fields(query)
	if len(f) == 0 {
		return false
	}
	switch strings.ToUpper(f[0]) {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "WITH":
		return true
	}
	return false
}

var seqScanRE = regexp.MustCompile(`Seq Scan on (\S+)`)

// seqScans lists the tables plan scans sequentially, once each.
func seqScans(plan string) []string {
	var out []string
	for _, m := range seqScanRE.FindAllStringSubmatch(plan, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// recConnector opens connections whose statements r watches.
type recConnector struct {
	base driver.Connector
	rec  *recorder
}

// Connect opens a connection of the underlying driver and wraps it.
func (c recConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(innerConn)
	if !ok {
		conn.Close()
		return nil, errors.New("loadharness: the driver's connections lack the context methods")
	}
	return &recConn{inner: inner, rec: c.rec}, nil
}

// Driver is the underlying driver.
func (c recConnector) Driver() driver.Driver { return c.base.Driver() }

// innerConn is what recConn needs of the driver's connections; pgx's
// stdlib connections have it all.
type innerConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.ConnBeginTx
	driver.NamedValueChecker
	driver.SessionResetter
	driver.Pinger
}

// recConn passes everything on to its connection and, for a statement its
// recorder wants, first runs EXPLAIN (ANALYZE, BUFFERS) of it, rolled back.
type recConn struct {
	inner innerConn
	rec   *recorder
	inTx  bool
}

func (c *recConn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }

func (c *recConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, query)
}

func (c *recConn) Close() error { return c.inner.Close() }

//nolint:staticcheck // driver.Conn requires Begin
func (c *recConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *recConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.inner.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	return recTx{tx, c}, nil
}

func (c *recConn) CheckNamedValue(v *driver.NamedValue) error { return c.inner.CheckNamedValue(v) }
func (c *recConn) ResetSession(ctx context.Context) error     { return c.inner.ResetSession(ctx) }
func (c *recConn) Ping(ctx context.Context) error             { return c.inner.Ping(ctx) }

func (c *recConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.explain(ctx, query, args)
	return timed(c.rec, query, func() (driver.Result, error) { return c.inner.ExecContext(ctx, query, args) })
}

func (c *recConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.explain(ctx, query, args)
	return timed(c.rec, query, func() (driver.Rows, error) { return c.inner.QueryContext(ctx, query, args) })
}

// explain captures query's plan when the recorder wants it.
func (c *recConn) explain(ctx context.Context, query string, args []driver.NamedValue) {
	if !c.rec.wanted(query) {
		return
	}
	text, err := c.explainRolledBack(ctx, query, args)
	if err != nil {
		text = "EXPLAIN failed: " + err.Error()
	}
	c.rec.setPlan(query, text)
}

func (c *recConn) explainRolledBack(ctx context.Context, query string, args []driver.NamedValue) (string, error) {
	begin, end := "BEGIN", []string{"ROLLBACK"}
	if c.inTx {
		begin = "SAVEPOINT cauribench_explain"
		end = []string{"ROLLBACK TO SAVEPOINT cauribench_explain", "RELEASE SAVEPOINT cauribench_explain"}
	}
	if _, err := c.inner.ExecContext(ctx, begin, nil); err != nil {
		return "", err
	}
	text, err := c.explainText(ctx, query, args)
	for _, s := range end {
		if _, eerr := c.inner.ExecContext(context.WithoutCancel(ctx), s, nil); eerr != nil {
			err = errors.Join(err, eerr)
		}
	}
	return text, err
}

func (c *recConn) explainText(ctx context.Context, query string, args []driver.NamedValue) (string, error) {
	rows, err := c.inner.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+query, args)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	dest := make([]driver.Value, len(rows.Columns()))
	for {
		if err := rows.Next(dest); err != nil {
			if errors.Is(err, io.EOF) {
				return b.String(), nil
			}
			return b.String(), err
		}
		fmt.Fprintf(&b, "%v\n", dest[0])
	}
}

// recTx notes the end of its connection's transaction.
type recTx struct {
	driver.Tx
	c *recConn
}

func (t recTx) Commit() error {
	t.c.inTx = false
	return t.Tx.Commit()
}

func (t recTx) Rollback() error {
	t.c.inTx = false
	return t.Tx.Rollback()
}
