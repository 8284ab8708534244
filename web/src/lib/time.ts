// Dates and times as people read them in a message list.

const DAY = 86400000;

export function startOfDay(ms: number): number {
    const d = new Date(ms);
    d.setHours(0, 0, 0, 0);
    return d.getTime();
}

/** "Today", "Yesterday", "Monday, March 4" or "March 4, 2023". */
export function dayLabel(ms: number, now = Date.now()): string {
    const day = startOfDay(ms);
    const today = startOfDay(now);
    if (day === today) {
        return 'Today';
    }
    if (day === startOfDay(today - DAY / 2)) {
        return 'Yesterday';
    }
    const d = new Date(ms);
    const sameYear = d.getFullYear() === new Date(now).getFullYear();
    if (sameYear && today - day < 6 * DAY) {
        return d.toLocaleDateString(undefined, {weekday: 'long', month: 'long', day: 'numeric'});
    }
    return d.toLocaleDateString(undefined, sameYear ? {month: 'long', day: 'numeric'} : {year: 'numeric', month: 'long', day: 'numeric'});
}

export function clock(ms: number): string {
    return new Date(ms).toLocaleTimeString(undefined, {hour: '2-digit', minute: '2-digit'});
}

export function fullDate(ms: number): string {
    return new Date(ms).toLocaleString();
}

export function fileSize(bytes: number): string {
    if (bytes < 1024) {
        return `${bytes} B`;
    }
    if (bytes < 1024 * 1024) {
        return `${(bytes / 1024).toFixed(1)} KB`;
    }
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
