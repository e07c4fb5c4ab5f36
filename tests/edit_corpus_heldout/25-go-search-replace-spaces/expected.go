package client

import (
	"net/http"
	"time"
)

// Client wraps http.Client with a simple retry loop.
type Client struct {
	HTTP    *http.Client
	Retries int
}

// Get fetches url, retrying on network errors.
func (c *Client) Get(url string) (*http.Response, error) {
	var lastErr error
	for i := 0; i <= c.Retries; i++ {
		resp, err := c.HTTP.Get(url)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("server error: %s", resp.Status)
		}
		lastErr = err
		time.Sleep(time.Duration(i+1) * time.Second)
	}
	return nil, lastErr
}
