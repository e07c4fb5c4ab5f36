#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} buffer;

int buffer_push(buffer *b, char c)
{
    if (b->len == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        char *data = realloc(b->data, cap);
        b->data = data;
        b->cap = cap;
    }
    b->data[b->len++] = c;
    return 0;
}

void buffer_free(buffer *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
