// Times, speaker names and the plain-text rendering the page shows and copies.

export function clock(milliseconds) {
  const total = Math.max(0, Math.floor(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

export function speakerName(number, names) {
  if (number === undefined || number === null) return "";
  return (names && names[String(number)]) || `Speaker ${number}`;
}

// Phrases in time order, each with its words (the service's, else the phrase's text split).
export function phrasesOf(result) {
  const phrases = (result.phrases || []).filter((p) => (p.text || "").trim());
  phrases.sort((a, b) => (a.offsetMilliseconds || 0) - (b.offsetMilliseconds || 0) || (a.channel || 0) - (b.channel || 0));
  return phrases.map((p) => {
    const start = p.offsetMilliseconds || 0;
    const end = start + (p.durationMilliseconds || 0);
    let words = (p.words || []).filter((w) => (w.text || "").trim());
    if (!words.length) words = p.text.trim().split(/\s+/).map((text) => ({ text, offsetMilliseconds: start, durationMilliseconds: 0 }));
    return {
      start,
      end,
      speaker: p.speaker,
      text: p.text.trim(),
      words: words.map((w) => ({
        text: w.text.trim(),
        start: w.offsetMilliseconds ?? start,
        end: (w.offsetMilliseconds ?? start) + (w.durationMilliseconds || 0),
      })),
    };
  });
}

export function plainText(phrases, names) {
  return phrases
    .map((p) => {
      const who = speakerName(p.speaker, names);
      return `[${clock(p.start)}]${who ? ` ${who}:` : ""} ${p.text}`;
    })
    .join("\n");
}

// The index of the last item whose start is at or before `time` (items sorted by start), or -1.
export function indexAt(items, time) {
  let low = 0;
  let high = items.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (items[mid].start <= time) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}
