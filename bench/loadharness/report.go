package loadharness

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
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
		pg := o.Store == "postgres"
		cpu := func(name string, c CPU) {
			fmt.Fprintf(tw, "cpu per request, %s:\tprocess %s", name, micros(c.ProcessPerRequest(), c.ProcessOK))
			if pg {
				fmt.Fprintf(tw, ", postgres %s", micros(c.PostgresPerRequest(), c.PostgresOK))
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
		if pg {
			fmt.Fprintln(tw, "(cpu, postgres: every process named postgres on this machine, background ones and other clients' work included; one exiting mid-round loses that round's share)")
		}
		ratios := func(name string, base Phase, bc CPU) {
			fmt.Fprintf(tw, "kit/%s throughput\t%.2f\n", name, ratio(r.Kit.RPS(), base.RPS()))
			fmt.Fprintf(tw, "kit/%s p50 latency\t%.2f\n", name, ratio(float64(r.Kit.P50), float64(base.P50)))
			fmt.Fprintf(tw, "kit/%s p99 latency\t%.2f\n", name, ratio(float64(r.Kit.P99), float64(base.P99)))
			k := r.KitCPU
			fmt.Fprintf(tw, "kit/%s cpu per request:\tprocess %s", name, cpuRatio(k.ProcessPerRequest(), bc.ProcessPerRequest()))
			if pg {
				fmt.Fprintf(tw, ", postgres %s", cpuRatio(k.PostgresPerRequest(), bc.PostgresPerRequest()))
			}
			fmt.Fprintln(tw)
		}
		ratios("baseline", r.Baseline, r.BaselineCPU)
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
