/**
 * Orders the answers of requests that may come back out of order (a slow reply for the slide shown
 * before, arriving after the reply for the slide shown now): each request takes a ticket, and only the
 * holder of the latest ticket may apply its answer.
 */
export class RequestTicket {
  private latest = 0;

  /** Takes the next ticket; the function answers whether it is still the latest one. */
  take(): () => boolean {
    const ticket = ++this.latest;
    return () => ticket === this.latest;
  }
}
