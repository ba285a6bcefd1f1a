package loadharness

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cauripay/cauri"
)

// Print writes the report as text tables.
func (r Report) Print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	o := r.Options
	fmt.Fprintf(tw, "cauri-bench: store=%s concurrency=%d requests=%d duration=%s\n\n", o.Store, o.Concurrency, o.Requests, o.Duration)

	phases := func(ps ...Phase) {
		fmt.Fprintln(tw, "phase\trequests\terrors\telapsed\treq/s\tp50\tp99\tmax")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.0f\t%s\t%s\t%s\n", p.Name, p.Requests, p.Errors, round(p.Elapsed),
				p.RPS(), round(p.P50), round(p.P99), round(p.Max))
		}
	}
	if r.Kit.Name != "" {
		fmt.Fprintf(tw, "== webhook: signed Moneroo notifications, each settling a new payment (%s store)\n", o.Store)
		sameTable := r.BaselineSameTable.Name != ""
		if sameTable {
			phases(r.Baseline, r.BaselineSameTable, r.Kit)
		} else {
			phases(r.Baseline, r.Kit)
		}
		server := r.Server.Name
		cpu := func(name string, c CPU) {
			fmt.Fprintf(tw, "cpu per request, %s:\tprocess %s", name, micros(c.ProcessPerRequest(), c.ProcessOK))
			if server != "" {
				fmt.Fprintf(tw, ", %s %s", server, micros(c.ServerPerRequest(), c.ServerOK))
			}
			fmt.Fprintln(tw)
		}
		cpu("baseline", r.BaselineCPU)
		if sameTable {
			cpu("baseline same table", r.BaselineSameTableCPU)
		}
		cpu("kit", r.KitCPU)
		inProcess := ""
		if o.Store == "sqlite" {
			inProcess = ", and SQLite"
		}
		fmt.Fprintf(tw, "(cpu, process: this process's user+system time; the load generator and the HTTP servers run in it too%s, the same for every arm)\n", inProcess)
		if server != "" {
			fmt.Fprintf(tw, "(cpu, %s: the database server, every process named %s on this machine, background ones and other clients' work included; one exiting mid-round loses that round's share)\n",
				server, strings.Join(r.Server.Processes, " or "))
		}
		ratios := func(name string, base Phase, bc CPU) {
			fmt.Fprintf(tw, "kit/%s throughput\t%.2f\n", name, ratio(r.Kit.RPS(), base.RPS()))
			fmt.Fprintf(tw, "kit/%s p50 latency\t%.2f\n", name, ratio(float64(r.Kit.P50), float64(base.P50)))
			fmt.Fprintf(tw, "kit/%s p99 latency\t%.2f\n", name, ratio(float64(r.Kit.P99), float64(base.P99)))
			k := r.KitCPU
			fmt.Fprintf(tw, "kit/%s cpu per request:\tprocess %s", name, cpuRatio(k.ProcessPerRequest(), bc.ProcessPerRequest()))
			if server != "" {
				fmt.Fprintf(tw, ", %s %s", server, cpuRatio(k.ServerPerRequest(), bc.ServerPerRequest()))
			}
			fmt.Fprintln(tw)
		}
		ratios("baseline", r.Baseline, r.BaselineCPU)
		r.printStatements(tw)
		if sameTable {
			ratios("baseline-same-table", r.BaselineSameTable, r.BaselineSameTableCPU)
			fmt.Fprintf(tw, "payments paid: kit %d (OnPaid calls, or paid payments without OnPaid; warm-up included), baseline %d (rows), baseline same table %d (rows)\n\n",
				r.KitPaid, r.BaselinePaid, r.BaselineSameTablePaid)
		} else {
			fmt.Fprintf(tw, "payments paid: kit %d (OnPaid calls, or paid payments without OnPaid; warm-up included), baseline %d (rows)\n\n", r.KitPaid, r.BaselinePaid)
		}
	}
	if r.BreakerSingle.Name != "" {
		fmt.Fprintf(tw, "== checkout with the breaker open (opened by %d failing checkouts)\n", r.BreakerTrips)
		phases(r.BreakerSingle, r.BreakerLoaded)
		for _, x := range []struct {
			name string
			t    ServerTimes
		}{{"1 client", r.BreakerSingleServer}, {fmt.Sprintf("%d clients", o.Concurrency), r.BreakerLoadedServer}} {
			fmt.Fprintf(tw, "server side, kit handler only, %s\tp50 %s\tp99 %s\tmax %s\n", x.name, round(x.t.P50), round(x.t.P99), round(x.t.Max))
		}
		fmt.Fprintf(tw, "provider calls made by refused checkouts\t%.0f\n\n", r.BreakerProviderCalls)
	}
	if r.Slow.Name != "" {
		fmt.Fprintf(tw, "== checkout with a slow provider (answers after %s; kit timeout %s; breaker kept closed)\n", o.SlowDelay, o.SlowTimeout)
		phases(r.Slow)
		fmt.Fprintf(tw, "provider calls timed out\t%.0f\n", r.SlowTimeouts)
		fmt.Fprintln(tw, "process\tgoroutines\theap in use")
		for _, s := range []struct {
			name string
			res  Resources
		}{{"before", r.Before}, {"during (peak)", r.During}, {"after", r.After}} {
			fmt.Fprintf(tw, "%s\t%d\t%.1f MiB\n", s.name, s.res.Goroutines, float64(s.res.HeapInuse)/(1<<20))
		}
		b := r.PeakBreakdown
		fmt.Fprintf(tw, "goroutines at the peak	kit handlers %d, emulator %d, server conns %d, client conns %d, load workers %d, other %d\n",
			b.KitHandlers, b.Emulator, b.ServerConns, b.ClientConns, b.LoadWorkers, b.Other)
		fmt.Fprintf(tw, "back to the count before in\t%s\n\n", round(r.SettleTime))
	}
	if r.ReconcilePass > 0 {
		rep := r.ReconcileReport
		fmt.Fprintf(tw, "== reconcile: one pass over %d pending payments (memory store, Moneroo emulator, concurrency %d)\n", o.ReconcilePayments, r.ReconcileConcurrency)
		fmt.Fprintf(tw, "pass\t%s\tchecked %d, settled %d, expired %d, skipped %d, errors %d\n", round(r.ReconcilePass), rep.Checked, rep.Settled, rep.Expired, rep.Skipped, rep.Errors)
		fmt.Fprintf(tw, "kit status calls/s\t%.0f\n", float64(rep.Checked)/r.ReconcilePass.Seconds())
		fmt.Fprintf(tw, "direct FetchStatus calls\t%s\t%d calls, %.0f calls/s\n", round(r.DirectCalls), r.DirectCallsMade, float64(r.DirectCallsMade)/r.DirectCalls.Seconds())
		fmt.Fprintf(tw, "pass/direct time\t%.2f\n", ratio(float64(r.ReconcilePass), float64(r.DirectCalls)))
		fmt.Fprintf(tw, "store listing alone (ListPending, 200 a page)\t%s\n", round(r.ReconcileListing))
	}
	if len(r.Scale) > 0 {
		r.printScale(tw)
	}
	return tw.Flush()
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// micros prints a CPU time per request in microseconds, "n/a" when not
// measured.
func micros(d time.Duration, ok bool) string {
	if !ok {
		return "n/a"
	}
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

// cpuRatio prints a/b, "n/a" when either was not measured.
func cpuRatio(a, b time.Duration) string {
	if a <= 0 || b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

// round keeps three significant figures or so.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Microsecond)
	}
	return d.Round(100 * time.Nanosecond)
}

// printScale writes the scale scenario's tables: each size's figures, the
// tables' sizes, the console's queries, then the costs at the largest
// size over those at the smallest.
func (r Report) printScale(tw *tabwriter.Writer) {
	o := r.Options
	fmt.Fprintf(tw, "== scale: the kit on PostgreSQL as the payments table grows (tables %s*, made by the store's migrations, dropped after each size)\n", o.ScalePrefix)
	fmt.Fprintf(tw, "webhook: %d signed Moneroo notifications from %d clients after a warm-up, each settling a payment created for the run (OnPaid, history); reconcile: the median of %d passes, each over %d new pending payments, the same at every size\n",
		o.Requests, o.Concurrency, o.ScalePasses, o.ScalePending)
	fmt.Fprintln(tw, "payments\tevents\tseeding\twebhook req/s\tp50\tp99\terrors\tcpu/req process, postgres\treconcile pass (median)\tchecked, settled, skipped, fulfilled, errors (first pass)\tListPending alone (median), pages")
	for _, s := range r.Scale {
		c := s.WebhookCPU
		rep := s.ReconcileReport
		fmt.Fprintf(tw, "%d\t%d\t%s\t%.0f\t%s\t%s\t%d\t%s, %s\t%s\t%d, %d, %d, %d, %d\t%s, %d\n", s.Payments, s.Events, round(s.Seeding),
			s.Webhook.RPS(), round(s.Webhook.P50), round(s.Webhook.P99), s.Webhook.Errors,
			micros(c.ProcessPerRequest(), c.ProcessOK), micros(c.ServerPerRequest(), c.ServerOK),
			round(s.ReconcilePass), rep.Checked, rep.Settled, rep.Skipped, rep.Fulfilled, rep.Errors, round(s.ReconcileListing), s.ReconcilePages)
	}
	fmt.Fprintln(tw)
	r.printReconciles(tw)
	fmt.Fprintln(tw, "payments\ttable\trows (estimate)\ttotal\theap\tindexes")
	for _, s := range r.Scale {
		for _, t := range s.Tables {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\n", s.Size, t.Table, t.Rows, mib(t.Total), mib(t.Heap), mib(t.Indexes))
		}
	}
	fmt.Fprintln(tw)
	if len(r.Scale) > 0 {
		fmt.Fprintf(tw, "console (Kit.FindPayments, %d a page; median of %d; deep: after the payment 90%% of the way down)", cauri.AdminPageSize+1, consoleRuns)
		for _, s := range r.Scale {
			fmt.Fprintf(tw, "\t%d: first\tdeep", s.Size)
		}
		fmt.Fprintln(tw)
		for i, c := range r.Scale[0].Console {
			fmt.Fprint(tw, c.Name)
			for _, s := range r.Scale {
				if i >= len(s.Console) {
					fmt.Fprint(tw, "\t\t")
					continue
				}
				x := s.Console[i]
				deep := "-"
				if x.HasDeep {
					deep = fmt.Sprintf("%s (%d)", round(x.Deep), x.DeepRows)
				}
				fmt.Fprintf(tw, "\t%s (%d)\t%s", round(x.First), x.FirstRows, deep)
			}
			fmt.Fprintln(tw)
		}
		fmt.Fprintln(tw)
	}
	for _, s := range r.Scale {
		var scans []string
		for _, p := range s.Plans {
			for _, t := range p.SeqScans {
				scans = append(scans, t+" ("+p.Labels[0]+")")
			}
		}
		fmt.Fprintf(tw, "plans at %d payments\t%d statements, sequential scans: %s\n", s.Size, len(s.Plans), orNone(scans))
	}
	if n := len(r.Scale); n >= 2 {
		a, b := r.Scale[0], r.Scale[n-1]
		fmt.Fprintf(tw, "\ncost at %d over cost at %d (target: at most %.1f)\n", b.Size, a.Size, FlatTarget)
		for _, x := range []struct {
			name string
			a, b float64
		}{
			{"webhook p99", float64(a.Webhook.P99), float64(b.Webhook.P99)},
			{"webhook p50", float64(a.Webhook.P50), float64(b.Webhook.P50)},
			{"webhook time per request (1/throughput)", ratio(1, a.Webhook.RPS()), ratio(1, b.Webhook.RPS())},
			{"webhook postgres cpu per request", float64(a.WebhookCPU.ServerPerRequest()), float64(b.WebhookCPU.ServerPerRequest())},
			{"reconcile pass (median)", float64(a.ReconcilePass), float64(b.ReconcilePass)},
			{"reconcile pass (fastest)", float64(a.ReconcileFastest), float64(b.ReconcileFastest)},
			{"reconcile listing (ListPending pages, median)", float64(a.ReconcileListing), float64(b.ReconcileListing)},
		} {
			q := ratio(x.b, x.a)
			verdict := "within"
			if q > FlatTarget {
				verdict = "OVER"
			}
			fmt.Fprintf(tw, "%s\t%.2f\t%s\n", x.name, q, verdict)
		}
	}
}

// statementsShown is how many of a pass's statements printReconciles
// shows, the most time first.
const statementsShown = 6

// printReconciles writes each size's reconcile passes: the time of each,
// the buffers and WAL it used, the machine's load, and where the time of
// the median pass went, by statement.
func (r Report) printReconciles(tw *tabwriter.Writer) {
	if len(r.Scale) == 0 {
		return
	}
	fmt.Fprintf(tw, "reconcile passes (%d at each size, each over %d new pending payments, after a CHECKPOINT at the end of the seeding and a pause of %s; buffers and WAL of the scale tables over the listing and the pass)\n",
		r.Options.ScalePasses, r.Options.ScalePending, r.Options.ScalePause)
	fmt.Fprintln(tw, "payments\tpass\tListPending alone\tload average\tstatements' time / (pass × concurrency)\tbuffers hit\tbuffers read\tWAL records (server)\tWAL full pages (server)\tWAL bytes (server)")
	for _, s := range r.Scale {
		for _, x := range s.Reconciles {
			var busy time.Duration
			for _, t := range x.Statements {
				busy += t.Total
			}
			io := "counters reset meanwhile\t\t\t\t"
			if !x.IOReset {
				io = fmt.Sprintf("%d\t%d\t%d\t%d\t%s", x.IO.Hit, x.IO.Read, x.IO.WALRecords, x.IO.WALFullPages, mib(x.IO.WALBytes))
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f\t%.2f\t%s\n", s.Size, round(x.Pass), round(x.Listing), x.Load,
				ratio(float64(busy), float64(x.Pass+x.Listing)*float64(reconcileConcurrency)), io)
		}
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "the median pass's statements, the %d taking the most time (from the call to the driver to its return: the database's time and the wait for it)\n", statementsShown)
	fmt.Fprintln(tw, "payments\tcount\ttotal\tmean\tstatement")
	for _, s := range r.Scale {
		m := medianRun(s.Reconciles)
		for i, t := range m.Statements {
			if i == statementsShown {
				break
			}
			q := t.Query
			if len(q) > 110 {
				q = q[:110] + "…"
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\n", s.Size, t.Count, round(t.Total), round(t.Total/time.Duration(max(t.Count, 1))), q)
		}
	}
	fmt.Fprintln(tw)
}

// medianRun is the pass of median time.
func medianRun(runs []ReconcileRun) ReconcileRun {
	if len(runs) == 0 {
		return ReconcileRun{}
	}
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b ReconcileRun) int { return cmp.Compare(a.Pass, b.Pass) })
	return sorted[(len(sorted)-1)/2]
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// printStatements writes, on PostgreSQL, what pg_stat_statements counted
// of each webhook arm per request, and the kit's statements one by one,
// or why it could not count them.
func (r Report) printStatements(w io.Writer) {
	if r.StatementsUnmeasured != "" {
		fmt.Fprintf(w, "postgres statements: not counted: %s\n", r.StatementsUnmeasured)
		return
	}
	if !r.KitStatements.Measured {
		return
	}
	perRequest := func(name string, s Statements) {
		t, n := s.Total(), float64(max(s.Requests, 1))
		fmt.Fprintf(w, "postgres per request, %s:\t%.2f statements, %.2f plans, exec %.0f µs, planning %.0f µs, %.0f WAL bytes in %.1f records, %.0f buffers\n",
			name, float64(t.Calls)/n, float64(t.Plans)/n, micro(t.Exec)/n, micro(t.Plan)/n, float64(t.WALBytes)/n, float64(t.WALRecords)/n, float64(t.Blocks)/n)
	}
	perRequest("baseline", r.BaselineStatements)
	if r.BaselineSameTableStatements.Measured {
		perRequest("baseline same table", r.BaselineSameTableStatements)
	}
	perRequest("kit", r.KitStatements)
	fmt.Fprintln(w, "(postgres per request: pg_stat_statements, summed over the arm's rounds; exec and planning are wall time in the server, waits included)")
	fmt.Fprintln(w, "kit's statements\tper request\texec µs/call\tplanning µs/call\tplans/call\tWAL bytes/call\tstatement")
	n := float64(max(r.KitStatements.Requests, 1))
	for _, s := range r.KitStatements.ByStatement[:min(len(r.KitStatements.ByStatement), 8)] {
		c := float64(max(s.Calls, 1))
		q := s.Query
		if len(q) > 90 {
			q = q[:90] + "…"
		}
		fmt.Fprintf(w, "\t%.3f\t%.0f\t%.0f\t%.2f\t%.0f\t%s\n", float64(s.Calls)/n, micro(s.Exec)/c, micro(s.Plan)/c, float64(s.Plans)/c, float64(s.WALBytes)/c, q)
	}
}

func micro(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
