// The emoji offered for reactions, by Mattermost name. Unknown names show as `:name:`.
export const EMOJI: Record<string, string> = {
    '+1': '\u{1F44D}', 'thumbsup': '\u{1F44D}', '-1': '\u{1F44E}', 'eyes': '\u{1F440}', 'white_check_mark': '\u2705',
    'heart': '\u2764\uFE0F', 'joy': '\u{1F602}', 'tada': '\u{1F389}', 'rocket': '\u{1F680}', 'warning': '\u26A0\uFE0F',
    'fire': '\u{1F525}', 'rotating_light': '\u{1F6A8}', 'pray': '\u{1F64F}', 'thinking_face': '\u{1F914}',
    'smile': '\u{1F604}', 'x': '\u274C', 'question': '\u2753', 'shield': '\u{1F6E1}\uFE0F', 'bug': '\u{1F41B}', 'lock': '\u{1F512}',
};

export const PICKER = ['+1', 'eyes', 'white_check_mark', 'heart', 'joy', 'tada', 'rocket', 'warning', 'fire', 'rotating_light',
    'pray', 'thinking_face', '-1', 'x', 'question', 'shield', 'bug', 'lock'];

export function emojiChar(name: string): string {
    return EMOJI[name] ?? `:${name}:`;
}
