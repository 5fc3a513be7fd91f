# Reference implementation of std::mt19937_64 (Matsumoto & Nishimura's MT19937-64,
# the parameters of [rand.predef]) and of seeded_random.h's mappings, written
# independently of the C++ code, to compute golden values for the unit tests.
M64 = (1 << 64) - 1
class MT64:
    def __init__(self, seed):
        self.mt = [0]*312; self.mt[0] = seed & M64
        for i in range(1, 312):
            self.mt[i] = (6364136223846793005 * (self.mt[i-1] ^ (self.mt[i-1] >> 62)) + i) & M64
        self.i = 312
    def __call__(self):
        if self.i >= 312:
            for k in range(312):
                x = (self.mt[k] & 0xFFFFFFFF80000000) | (self.mt[(k+1) % 312] & 0x7FFFFFFF)
                xa = x >> 1
                if x & 1: xa ^= 0xB5026F5AA96619E9
                self.mt[k] = self.mt[(k+156) % 312] ^ xa
            self.i = 0
        y = self.mt[self.i]; self.i += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & M64
def uniform_below(e, bound):
    excess = (1 << 64) % bound
    limit = M64 - excess
    d = e()
    while d > limit: d = e()
    return d % bound
def shuffle(rows, e):
    for i in range(len(rows), 1, -1):
        j = uniform_below(e, i); rows[i-1], rows[j] = rows[j], rows[i-1]
e = MT64(5489)
for _ in range(9999): e()
print("10000th of default seed:", e())
e = MT64(42); r = list(range(10)); shuffle(r, e); print("shuffle 0..9 seed 42:", r)
e = MT64(42); print("uniform_below(e, 3) x8 seed 42:", [uniform_below(e, 3) for _ in range(8)])
# Split of 20 rows, 0.6/0.2/0.2, seed 7, no stratification: counts 12/4/4
e = MT64(7); r = list(range(20)); shuffle(r, e)
print("split20 train", sorted(r[:12]), "validation", sorted(r[12:16]), "test", sorted(r[16:20]))
# InMemoryBatchSource: epoch e of seed s shuffles with mt19937_64(Mix64(s + (e + 1) * golden)).
def mix64(z):
    z ^= z >> 30; z = (z * 0xbf58476d1ce4e5b9) & M64
    z ^= z >> 27; z = (z * 0x94d049bb133111eb) & M64
    return z ^ (z >> 31)
for epoch in (0, 1):
    e = MT64(mix64((7 + (epoch + 1) * 0x9e3779b97f4a7c15) & M64)); r = list(range(10)); shuffle(r, e)
    print("batch source seed 7 epoch", epoch, r)
