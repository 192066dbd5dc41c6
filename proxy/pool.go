package proxy

import (
	"bufio"
	"compress/gzip"
	"io"
	"sync"
)

// Pools of per-request buffers and decoders: a proxied response reuses
// them instead of allocating its own.

// copyBufPool holds the buffers that copy bodies passed through unchanged.
var copyBufPool = sync.Pool{New: func() any {
	b := make([]byte, 32<<10)
	return &b
}}

// bufReaderPool holds the bufio.Readers in front of decompressors.
var bufReaderPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4<<10) }}

// gzipReaderPool holds gzip.Readers, reset for each body.
var gzipReaderPool sync.Pool

func getBufReader(r io.Reader) *bufio.Reader {
	br := bufReaderPool.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

func putBufReader(br *bufio.Reader) {
	br.Reset(nil)
	bufReaderPool.Put(br)
}

// pooledReader reads a decoded body; Close returns its bufio.Reader and its
// gzip.Reader (if any) to their pools. It must not be used after Close.
type pooledReader struct {
	io.Reader
	br     *bufio.Reader
	gz     *gzip.Reader
	closed bool
}

func (p *pooledReader) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	var err error
	if p.gz != nil {
		err = p.gz.Close()
		gzipReaderPool.Put(p.gz)
		p.gz = nil
	}
	putBufReader(p.br)
	p.Reader, p.br = nil, nil
	return err
}
