/**
 * Refusals, so an item that failed because the model declined says so instead of "no JSON object". OpenAI
 * reports them structurally (`message.refusal`, or finish_reason "content_filter"); most other servers answer in
 * prose, which is only recognised in an answer that was unusable anyway, so a good answer is never discarded.
 */

/** The structured refusal of one choice, if it has one. */
export function structuredRefusal(message: { refusal?: string | null }, finishReason: string | null | undefined): string | undefined {
  if (message.refusal) return message.refusal;
  return finishReason === 'content_filter' ? "stopped by the provider's content filter" : undefined;
}

const PROSE_REFUSAL_RE = /^(?:i'm sorry|i am sorry|sorry|i apologi[sz]e|i can(?:'|no)?t|i can not|i won't|i will not|i'm (?:not able|unable)|i am (?:not able|unable))(?=\W|$)/i;

/** A short prose answer that opens by declining. */
export function proseRefusal(text: string): string | undefined {
  const answer = text.replace(/<think>[\s\S]*?<\/think>/g, '').replace(/[’]/g, "'").trim();
  return answer.length > 0 && answer.length <= 400 && PROSE_REFUSAL_RE.test(answer) ? answer : undefined;
}

/** The reason recorded for a refused answer (and fed back in a repair attempt). */
export function refusalReason(refusal: string): string {
  return `the model refused to answer ("${refusal.length > 200 ? `${refusal.slice(0, 200)}…` : refusal}")`;
}
