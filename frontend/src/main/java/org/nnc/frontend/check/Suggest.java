package org.nnc.frontend.check;

import java.util.Collection;

/** "did you mean `fc2`?": the closest known name by edit distance, when it is close enough to be a typo. */
final class Suggest {
    private Suggest() {}

    static String closest(String name, Collection<String> known) {
        String best = null;
        int bestDist = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(name.toLowerCase(), k.toLowerCase());
            if (d < bestDist || (d == bestDist && best != null && k.compareTo(best) < 0)) {
                best = k;
                bestDist = d;
            }
        }
        int allowed = Math.max(1, Math.min(3, name.length() / 3));
        return best != null && bestDist <= allowed ? best : null;
    }

    /** " (did you mean `x`?)" or "". */
    static String hint(String name, Collection<String> known) {
        String c = closest(name, known);
        return c == null ? "" : "; did you mean `" + c + "`?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
