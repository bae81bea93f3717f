export default {
  'tags.quoted': '“{tag}”',
  'tags.invalid': '“{tag}” is not a tag: use 1 to 50 lower-case letters, digits, _, : or -, starting with a letter or a digit.',

  'tags.ticket.title': 'Tags',
  'tags.ticket.none': 'No tags yet.',
  'tags.ticket.add': 'Add a tag',
  'tags.ticket.add_hint': 'Such as “refund” or “vip:gold”: lower-case letters, digits, _, : and -. Press Enter to add it.',
  'tags.ticket.submit': 'Add tag',
  'tags.ticket.remove': 'Remove tag {tag}',
  'tags.ticket.empty': 'Type a tag to add.',
  'tags.ticket.limit': 'A ticket holds at most 20 tags. Remove one before adding another.',
  'tags.ticket.added': 'Tag “{tag}” added.',
  'tags.ticket.already': 'The ticket already has the tag “{tag}”.',
  'tags.ticket.removed': 'Tag “{tag}” removed.',

  'tags.filter.label': 'Tag',
  'tags.filter.hint': 'Tickets with this tag; press Enter.',
  'tags.row.label': 'Tags:',

  'tags.history.added.one': 'added the tag {tags}',
  'tags.history.added.other': 'added the tags {tags}',
  'tags.history.removed.one': 'removed the tag {tags}',
  'tags.history.removed.other': 'removed the tags {tags}',
  'tags.history.one': '{change}.',
  'tags.history.both': '{added} and {removed}.',
  'tags.history.created.one': 'opened the ticket with the tag {tags}.',
  'tags.history.created.other': 'opened the ticket with the tags {tags}.',
} as const;
