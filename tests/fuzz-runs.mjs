// How many random cases a property test runs: its default, or the count in the environment variable
// `name`, never fewer than `min` (a count of 0 would make the property vacuous and still pass). A value
// below the minimum, or not a whole number, stops the test file with an error naming the variable.
export function fuzzRuns(name, fallback, min) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${name}=${JSON.stringify(text)}: a property needs at least ${min} runs (default ${fallback})`);
  }
  return n;
}
