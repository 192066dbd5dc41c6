package secret

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestLoadOrCreateCreatesThenReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	a, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != Size {
		t.Fatalf("len %d, want %d", len(a), Size)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Fatalf("mode %v, want 0600", m)
	}
	b, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("second call returned a different secret")
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Fatalf("temporary files left behind: %v", ents)
	}
}

func TestLoadOrCreateConcurrentAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	const n = 16
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = LoadOrCreate(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if !bytes.Equal(got[i], got[0]) {
			t.Fatalf("call %d got another secret", i)
		}
	}
}

func TestLoadOrCreateKeepsExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	want := bytes.Repeat([]byte{0xab}, 20)
	if err := os.WriteFile(path, []byte("  "+string(Encode(want))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadOrCreate(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("got %x, %v; want %x", got, err, want)
	}
}

func TestLoadOrCreateBadFile(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"nothex": "zz not hex",
		"short":  "abcd",
		"empty":  "",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadOrCreate(path)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", name, err)
		}
		b, _ := os.ReadFile(path)
		if string(b) != content {
			t.Errorf("%s: file was changed to %q", name, b)
		}
	}
}

func TestLoadOrCreateMissingDir(t *testing.T) {
	_, err := LoadOrCreate(filepath.Join(t.TempDir(), "no", "such", FileName))
	if err == nil {
		t.Fatal("no error for a missing directory")
	}
	if _, err := Load(filepath.Join(t.TempDir(), FileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("00112233445566778899aabbccddeeff")
	f.Add(string(Encode(bytes.Repeat([]byte{1}, Size))))
	f.Add("xyz")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Decode(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if len(b) < MinSize {
			t.Fatalf("accepted %d bytes", len(b))
		}
		again, err := Decode(string(Encode(b)))
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip: %x %v", again, err)
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	path := filepath.Join(b.TempDir(), FileName)
	if _, err := LoadOrCreate(path); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}
