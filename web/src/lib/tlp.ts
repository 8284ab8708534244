// TLP 2.0 labels (FIRST): the colours are the standard's, on a black background.
export type Tlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';

export const TLPS: Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

const MEANING: Record<Tlp, string> = {
    'CLEAR': 'Disclosure is not limited.',
    'GREEN': 'Limited disclosure: the community, not public channels.',
    'AMBER': 'Limited disclosure: the recipients\u2019 organizations and their clients, need-to-know.',
    'AMBER+STRICT': 'Limited disclosure: the recipients\u2019 organizations only.',
    'RED': 'For the eyes and ears of individual recipients only, no further disclosure.',
};

export function normalizeTlp(raw: unknown): Tlp {
    const s = typeof raw === 'string' ? raw.toUpperCase().replace(/^TLP:/, '') : '';
    return (TLPS as string[]).includes(s) ? s as Tlp : 'CLEAR';
}

export function tlpMeaning(t: Tlp): string {
    return MEANING[t];
}

/** The CSS class that colours a label. */
export function tlpClass(t: Tlp): string {
    return 'tlp tlp-' + t.toLowerCase().replace('+', '-');
}
