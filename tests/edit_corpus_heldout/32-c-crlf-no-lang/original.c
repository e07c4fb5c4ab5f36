#include <stdlib.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} Buffer;

void buffer_init(Buffer *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int buffer_append(Buffer *b, const char *text, size_t n) {
    if (b->len + n > b->cap) {
        b->cap = b->len + n;
        b->data = realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, text, n);
    b->len += n;
    return 0;
}

void buffer_free(Buffer *b) {
    free(b->data);
    buffer_init(b);
}
