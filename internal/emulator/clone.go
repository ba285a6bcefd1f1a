package emulator

import "reflect"

// Clone returns a deep copy of *p: its maps, slices, pointers and
// interfaces copied too, as far down as exported fields go (an unexported
// field is copied as it is, as time.Time's are). It is a [Spec]'s default
// Clone and a [Ledger]'s copy.
func Clone[T any](p *T) T {
	c := *p
	deepen(reflect.ValueOf(&c).Elem())
	return c
}

// deepen replaces what v refers to with copies, v being settable.
func deepen(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				deepen(f)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		n := reflect.New(e.Type()).Elem()
		n.Set(e)
		deepen(n)
		if v.Kind() == reflect.Pointer {
			n = n.Addr()
		}
		v.Set(n)
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(n, v)
		for i := range n.Len() {
			deepen(n.Index(i))
		}
		v.Set(n)
	case reflect.Map:
		if v.IsNil() {
			return
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			deepen(e)
			n.SetMapIndex(it.Key(), e)
		}
		v.Set(n)
	}
}
