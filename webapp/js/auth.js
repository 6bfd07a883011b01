// Private streams for browser pages.
//
// EventSource cannot send an Authorization header, and a long-lived token must not sit in a URL
// (URLs end up in logs and histories). So a page trades its token for a one-time ticket
// (POST tickets) and puts only the ticket in the stream's URL: the ticket opens one stream,
// within 30 seconds, for exactly the topics it names.
//
//   import { privateStreamUrl } from './js/auth.js';
//   const url = await privateStreamUrl({ user: 'alice', topics: ['users/alice/inbox'] });
//   const source = new EventSource(url);
//
// When the stream ends because its token expired, EventSource's own reconnect fails (the ticket
// was used): build a fresh URL with { lastEventId } set to the last id the page saw, and open a
// new EventSource with it; the server replays what was missed.
//
// URLs are resolved against this script's location, so the pages work under any context path.

const root = new URL('../', import.meta.url);

async function postJson(path, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) {
    headers.Authorization = 'Bearer ' + token;
  }
  const response = await fetch(new URL(path, root), {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(path + ': ' + response.status + ' ' + (answer.detail || answer.error || ''));
    error.status = response.status;
    throw error;
  }
  return answer;
}

/**
 * A token for `user` from the demo-only endpoint (served only with runnel.demo.tokens=true, as
 * `mvn jetty:run` sets it). Resolves to { token, expiresIn, user, topics }.
 */
export function demoToken(user) {
  return postJson('demo/token', { user });
}

/** Trades `token` for a one-time ticket naming `topics`. Resolves to { ticket, expiresIn, topics }. */
export function ticketFor(token, topics) {
  return postJson('tickets', { topics }, token);
}

/** The URL of GET events for `topics`, with an optional ticket and resume cursor. */
export function eventsUrl(topics, { ticket, lastEventId } = {}) {
  const url = new URL('events', root);
  for (const topic of topics) {
    url.searchParams.append('topic', topic);
  }
  if (lastEventId) {
    url.searchParams.set('last_event_id', lastEventId);
  }
  if (ticket) {
    url.searchParams.set('ticket', ticket);
  }
  return url.toString();
}

/**
 * The one call a page needs: an EventSource URL for `topics` as `user` (demo token) or with a
 * `token` the page already holds. Resolves to a string; the ticket inside is good for one
 * connection within its expiresIn seconds.
 */
export async function privateStreamUrl({ user, token, topics, lastEventId } = {}) {
  if (!token) {
    token = (await demoToken(user)).token;
  }
  const { ticket } = await ticketFor(token, topics);
  return eventsUrl(topics, { ticket, lastEventId });
}
