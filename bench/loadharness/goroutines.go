package loadharness

import (
	"bytes"
	"runtime"
)

// Goroutines counts the process's goroutines by what they are doing, so
// that the kit's can be told from the emulator's and the load generator's
// in one process.
type Goroutines struct {
	KitHandlers  int // serving a request inside the kit (a checkout waiting on its provider)
	Emulator     int // the emulated provider's handlers
	ServerConns  int // other server connections (idle keep-alive, reading a request)
	ClientConns  int // HTTP client connection loops: the load generator's and the kit's provider client's
	LoadWorkers  int // the harness's workers waiting on their answer
	Other        int
	TotalSampled int
}

// goroutineBreakdown takes every goroutine's stack and classifies it.
func goroutineBreakdown() Goroutines {
	buf := make([]byte, 1<<20)
	for range 6 {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var g Goroutines
	for st := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if len(bytes.TrimSpace(st)) == 0 {
			continue
		}
		g.TotalSampled++
		switch {
		case bytes.Contains(st, []byte("/internal/emulator.")) || bytes.Contains(st, []byte("monerootest.")):
			g.Emulator++
		case bytes.Contains(st, []byte("github.com/cauripay/cauri.(*Kit)")):
			g.KitHandlers++
		case bytes.Contains(st, []byte("loadharness.drive")):
			g.LoadWorkers++
		case bytes.Contains(st, []byte("net/http.(*persistConn)")):
			g.ClientConns++
		case bytes.Contains(st, []byte("net/http.(*conn).serve")):
			g.ServerConns++
		default:
			g.Other++
		}
	}
	return g
}
