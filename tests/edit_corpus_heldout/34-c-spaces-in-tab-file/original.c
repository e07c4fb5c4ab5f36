#include <stdlib.h>

struct node {
	int value;
	struct node *next;
};

struct node *list_push(struct node *head, int value)
{
	struct node *n = malloc(sizeof(*n));
	if (!n)
		return head;
	n->value = value;
	n->next = head;
	return n;
}

size_t list_length(const struct node *head)
{
	size_t count = 0;
	while (head) {
		count++;
		head = head->next;
	}
	return count;
}

void list_free(struct node *head)
{
	while (head) {
		free(head);
		head = head->next;
	}
}
