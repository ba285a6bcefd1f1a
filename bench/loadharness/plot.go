package loadharness

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// panel is one chart of the plot: a figure of each step against its
// table size.
type panel struct {
	title string
	value func(ScaleStep) float64
}

// Plot geometry, in pixels.
const (
	panelW, panelH = 400, 320
	marginL        = 64
	marginR        = 16
	marginT        = 36
	marginB        = 48
)

var (
	plotInk  = color.RGBA{0x20, 0x20, 0x20, 0xff}
	plotGrid = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	plotLine = color.RGBA{0x1f, 0x5f, 0xbf, 0xff}
)

// plotScale draws the webhook's throughput and p99 and the reconcile
// pass's time against the payments table's size, one panel each, the
// sizes on a log scale.
func plotScale(steps []ScaleStep) *image.RGBA {
	panels := []panel{
		{"webhook throughput (req/s)", func(s ScaleStep) float64 { return s.Webhook.RPS() }},
		{"webhook p99 (ms)", func(s ScaleStep) float64 { return ms(s.Webhook.P99) }},
		{"reconcile pass (ms)", func(s ScaleStep) float64 { return ms(s.ReconcilePass) }},
	}
	img := image.NewRGBA(image.Rect(0, 0, panelW*len(panels), panelH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for i, p := range panels {
		drawPanel(img, image.Pt(i*panelW, 0), p, steps)
	}
	return img
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// drawPanel draws one panel with its top left corner at at.
func drawPanel(img *image.RGBA, at image.Point, p panel, steps []ScaleStep) {
	x0, y0 := at.X+marginL, at.Y+panelH-marginB // the origin
	x1, y1 := at.X+panelW-marginR, at.Y+marginT // the far corner
	label(img, at.X+marginL, at.Y+20, p.title)
	top := 0.0
	for _, s := range steps {
		top = math.Max(top, p.value(s))
	}
	top = niceCeil(top * 1.1)
	// The y grid: five steps from 0 to top.
	for i := range 6 {
		v := top * float64(i) / 5
		y := y0 - int(math.Round(float64(y0-y1)*float64(i)/5))
		hline(img, x0, x1, y, plotGrid)
		s := fmt.Sprintf("%.4g", v)
		label(img, x0-8-7*len(s), y+4, s)
	}
	// The x axis: log10 of the size, from a decade below the smallest to
	// one above the largest size.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range steps {
		l := math.Log10(float64(max(s.Size, 1)))
		lo, hi = math.Min(lo, l), math.Max(hi, l)
	}
	lo, hi = math.Floor(lo)-0.5, math.Ceil(hi)+0.5
	xOf := func(size int) int {
		return x0 + int(math.Round(float64(x1-x0)*(math.Log10(float64(max(size, 1)))-lo)/(hi-lo)))
	}
	yOf := func(v float64) int {
		if top <= 0 {
			return y0
		}
		return y0 - int(math.Round(float64(y0-y1)*v/top))
	}
	hline(img, x0, x1, y0, plotInk)
	vline(img, x0, y1, y0, plotInk)
	for _, s := range steps {
		x := xOf(s.Size)
		vline(img, x, y0, y0+4, plotInk)
		t := sizeLabel(s.Size)
		label(img, x-7*len(t)/2, y0+18, t)
	}
	label(img, (x0+x1)/2-7*8, y0+38, "payments stored (log)")
	var prev image.Point
	for i, s := range steps {
		pt := image.Pt(xOf(s.Size), yOf(p.value(s)))
		if i > 0 {
			line(img, prev, pt, plotLine)
		}
		dot(img, pt, plotLine)
		prev = pt
	}
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// sizeLabel writes 10000 as 10k, 1000000 as 1M.
func sizeLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

func label(img *image.RGBA, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(plotInk), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func hline(img *image.RGBA, xa, xb, y int, c color.Color) {
	for x := xa; x <= xb; x++ {
		img.Set(x, y, c)
	}
}

func vline(img *image.RGBA, x, ya, yb int, c color.Color) {
	for y := ya; y <= yb; y++ {
		img.Set(x, y, c)
	}
}

// line draws a line two pixels thick from a to b (Bresenham's).
func line(img *image.RGBA, a, b image.Point, c color.Color) {
	dx, dy := abs(b.X-a.X), -abs(b.Y-a.Y)
	sx, sy := sign(b.X-a.X), sign(b.Y-a.Y)
	e := dx + dy
	for {
		img.Set(a.X, a.Y, c)
		img.Set(a.X, a.Y+1, c)
		if a == b {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			a.X += sx
		}
		if e2 <= dx {
			e += dx
			a.Y += sy
		}
	}
}

func dot(img *image.RGBA, p image.Point, c color.Color) {
	for y := -3; y <= 3; y++ {
		for x := -3; x <= 3; x++ {
			if x*x+y*y <= 10 {
				img.Set(p.X+x, p.Y+y, c)
			}
		}
	}
}

func abs(v int) int { return max(v, -v) }

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// writePlot writes plotScale(steps) to path as a PNG.
func writePlot(path string, steps []ScaleStep) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("loadharness: %w", err)
	}
	if err := png.Encode(f, plotScale(steps)); err != nil {
		f.Close()
		return fmt.Errorf("loadharness: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("loadharness: writing %s: %w", path, err)
	}
	return nil
}
