export declare const CORPUS: string[];
