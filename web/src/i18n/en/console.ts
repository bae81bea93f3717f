export default {
  'console.nav.home': 'Console',
  'console.title': 'Console',
  'console.signed_in_as': 'Signed in as {name} ({role}).',
  'console.coming': 'The agent console is on its way. Meanwhile, this organisation’s tickets are handled through the API.',
} as const;
