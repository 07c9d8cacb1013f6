/**
 * Reads a policy file's JSONC text into a tree that keeps every node's place, with located syntax
 * problems. Hostile input (huge, deeply nested, binary) gives a problem, never an exception.
 */
import {
  createScanner,
  parseTree,
  printParseErrorCode,
  SyntaxKind,
  type Node,
  type ParseError,
} from 'jsonc-parser';
import type { Finding } from '../findings';
import { LineIndex, type TextSpan } from '../location';

/** A policy is a few kilobytes; anything near this is not a policy someone wrote. */
export const MAX_POLICY_SIZE = 1024 * 1024;
/** The parser recurses per level; real policies nest 4 deep. */
export const MAX_POLICY_DEPTH = 64;
const MAX_SYNTAX_PROBLEMS = 20;

export interface PolicyDocument {
  path: string;
  text: string;
  lines: LineIndex;
  /** The root value; undefined when the text could not be read as JSON at all. */
  root?: Node;
  problems: Finding[];
}

export function policyProblem(
  lines: LineIndex,
  start: number,
  end: number,
  message: string,
  severity: Finding['severity'] = 'error',
): Finding {
  return { ruleId: 'policy-error', severity, message, location: lines.span(start, end) };
}

/** The span of a node's text. */
export function nodeSpan(lines: LineIndex, node: Node): TextSpan {
  return lines.span(node.offset, node.offset + node.length);
}

const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'Unexpected character.',
  InvalidNumberFormat: 'This is not a valid number.',
  PropertyNameExpected: 'Expected a property name in double quotes.',
  ValueExpected: 'Expected a value.',
  ColonExpected: 'Expected ":" after the property name.',
  CommaExpected: 'Expected a comma.',
  CloseBraceExpected: 'Expected "}" to close the object.',
  CloseBracketExpected: 'Expected "]" to close the array.',
  EndOfFileExpected: 'Expected the end of the file after the policy object.',
  InvalidCommentToken: 'Invalid comment.',
  UnexpectedEndOfComment: 'This comment is never closed.',
  UnexpectedEndOfString: 'This string is never closed.',
  UnexpectedEndOfNumber: 'This number is cut short.',
  InvalidUnicode: 'Invalid Unicode escape.',
  InvalidEscapeCharacter: 'Invalid escape character in a string.',
  InvalidCharacter: 'Invalid character in a string.',
};

/** Offset at which nesting first goes deeper than the limit, if it does (scanned, not parsed). */
function tooDeepAt(text: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.OpenBracketToken) {
      if (++depth > MAX_POLICY_DEPTH) return scanner.getTokenOffset();
    } else if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) {
      depth--;
    }
  }
  return undefined;
}

export function readPolicyDocument(path: string, text: string): PolicyDocument {
  const lines = new LineIndex(text);
  const doc: PolicyDocument = { path, text, lines, problems: [] };
  const fail = (start: number, end: number, message: string): PolicyDocument => {
    doc.problems.push(policyProblem(lines, start, end, message));
    return doc;
  };
  if (text.length > MAX_POLICY_SIZE) {
    return fail(
      0,
      0,
      `This policy is ${text.length} characters long, above the limit of ${MAX_POLICY_SIZE}. A policy is a small JSON file; is this the right file?`,
    );
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0)
    return fail(nul, nul + 1, 'This file contains binary data (a NUL byte); a policy must be JSON text.');
  if (text.trim() === '')
    return fail(
      0,
      0,
      'The policy file is empty. Write a JSON object, e.g. { "imports": { "allow": [], "otherwise": "deny" } }.',
    );
  const deepAt = tooDeepAt(text);
  if (deepAt !== undefined)
    return fail(
      deepAt,
      deepAt + 1,
      `The policy nests deeper than ${MAX_POLICY_DEPTH} levels; a policy needs no more than 5.`,
    );

  const errors: ParseError[] = [];
  // Editors on Windows may save a byte-order mark; a space of the same length keeps every offset.
  const parsed = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  doc.root = parseTree(parsed, errors, { allowTrailingComma: true, disallowComments: false });
  for (const error of errors.slice(0, MAX_SYNTAX_PROBLEMS)) {
    const code = printParseErrorCode(error.error);
    doc.problems.push(
      policyProblem(lines, error.offset, error.offset + error.length, SYNTAX_MESSAGES[code] ?? code),
    );
  }
  if (errors.length > MAX_SYNTAX_PROBLEMS) {
    const last = errors[MAX_SYNTAX_PROBLEMS - 1];
    doc.problems.push(
      policyProblem(
        lines,
        last.offset,
        last.offset + last.length,
        `${errors.length - MAX_SYNTAX_PROBLEMS} more syntax errors not shown.`,
      ),
    );
  }
  if (doc.root && doc.root.type !== 'object') {
    const what = doc.root.type === 'array' ? 'an array' : `a ${doc.root.type}`;
    doc.problems.push(
      policyProblem(
        lines,
        doc.root.offset,
        doc.root.offset + 1,
        `A policy must be a JSON object { … }; this file is ${what}.`,
      ),
    );
  }
  return doc;
}
