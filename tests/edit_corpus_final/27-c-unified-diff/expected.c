#include <stdbool.h>
#include <stddef.h>

#define RING_SIZE 16

typedef struct {
    int data[RING_SIZE];
    size_t head;
    size_t tail;
    size_t count;
} Ring;

void ring_init(Ring *r)
{
    r->head = 0;
    r->tail = 0;
    r->count = 0;
}

bool ring_push(Ring *r, int value)
{
    if (r->count == RING_SIZE) {
        return false;
    }
    r->data[r->head] = value;
    r->head = (r->head + 1) % RING_SIZE;
    r->count++;
    return true;
}

bool ring_pop(Ring *r, int *out)
{
    if (r->count == 0) {
        return false;
    }
    *out = r->data[r->tail];
    r->tail = (r->tail + 1) % RING_SIZE;
    r->count--;
    return true;
}
