"""`atendimento bench replies`: saved-reply search latency, the index against the brute-force
reference, on synthetic Portuguese replies (and a check that both give the same answers).

Run: ``python -m atendimento.bench replies [--sizes 1000,10000,100000] [--queries N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from atendimento.domain.search import TYPO_MIN, ReplyIndex, Searchable, naive_search
from atendimento.domain.words import fold

LIMIT = 50
NAIVE_ITEM_QUERIES = 100_000  # naive queries × items per size: the reference is slow
NAIVE_MIN_QUERIES = 6  # one of each kind in the mix

STOPWORDS = (
    "a o as os de do da dos das em no na nos nas um uma uns umas para por pelo pela com sem "
    "que e ou se não sim mais menos já ainda também seu sua seus suas você vocês nós ele ela "
    "isso este esta esse essa aqui ali até após sobre entre quando como onde porque muito "
    "pouco bem só mesmo todo toda todos todas cada qualquer algum alguma nenhum").split()

CONTENT = (
    "entrega pedido reembolso boleto cartão prazo troca devolução frete pagamento compra "
    "produto loja cliente atendimento suporte cancelamento cancelar estorno nota fiscal "
    "endereço cadastro senha acesso conta aplicativo site mensagem resposta dúvida problema "
    "solução garantia defeito assistência técnica transportadora correios rastreio rastreamento "
    "código envio enviado recebido chegada atraso atrasado previsão data hora horário "
    "funcionamento segunda sexta sábado domingo feriado dia dias semana mês úteis útil "
    "valor preço desconto cupom promoção parcela parcelamento juros pix transferência "
    "depósito banco fatura cobrança duplicada confirmação confirmado aprovado recusado "
    "pendente análise processamento estoque disponível indisponível reposição tamanho cor "
    "modelo marca embalagem caixa etiqueta coleta agendamento agendar retirada retirar "
    "balcão unidade filial cidade estado região cep número telefone whatsapp email e-mail "
    "contato formulário protocolo chamado ticket atendente equipe gerente responsável "
    "obrigado obrigada agradecemos desculpe desculpas lamentamos transtorno paciência "
    "aguarde aguardar verificar verificamos conferir informar informação informações "
    "solicitar solicitação pedir enviar receber devolver trocar pagar comprar acompanhar "
    "acompanhe clique link botão página perfil login cadastrar atualizar alterar mudar "
    "excluir apagar bloquear desbloquear liberar liberado prazo vencimento vencido segunda "
    "via emitir emissão comprovante recibo extrato saldo crédito débito limite aprovação "
    "nacional internacional importação taxa imposto alfândega expresso econômico grátis "
    "gratuito mínimo máximo condições política termos privacidade dados segurança fraude "
    "golpe suspeito seguro tranquilo rápido lento urgente prioridade importante atenção "
    "lembrete aviso notificação alerta status situação andamento concluído finalizado "
    "encerrado aberto reaberto novo nova antigo usado original lacrado avariado quebrado "
    "faltando errado trocado incompleto peça acessório manual instalação montagem uso "
    "funcionando ligado desligado bateria carregador tela som imagem conexão internet "
    "rede sinal wifi bluetooth atualização versão sistema erro falha travado lentidão "
    "reiniciar restaurar configuração ajuste teste sorteio brinde presente aniversário "
    "natal black friday assinatura plano mensal anual renovação renovar cancelada ativa "
    "inativa suspensa pausar retomar fidelidade pontos resgate benefício vantagem convênio "
    "reclamação elogio sugestão avaliação opinião pesquisa satisfação ouvidoria procon "
    "direito consumidor arrependimento sete trinta noventa horas minutos logo breve hoje "
    "amanhã ontem depois antes sempre nunca olá oi bom boa tarde noite manhã").split()

TITLE_WORDS = (3, 8)
KEYWORDS = (2, 6)
BODY_WORDS = (20, 80)


@dataclass
class Figures:
    size: int
    build_ms: float
    vocabulary: int
    index: list[float]  # µs per search, sorted
    naive: list[float]  # µs per search, sorted
    naive_queries: int
    rss_mb: float
    mismatch: str | None = None


def _content(rng: random.Random) -> str:
    if rng.random() < 0.5:
        # Zipf-like: the first words (entrega, pedido, ...) are far more common than the rest.
        return CONTENT[min(int(rng.paretovariate(1.1)) - 1, len(CONTENT) - 1)]
    return rng.choice(CONTENT)


def _word(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.4:
        return rng.choice(STOPWORDS)
    if roll < 0.43:
        return str(rng.randrange(1, 1000))  # amounts, days, order numbers
    return _content(rng)


def corpus(size: int, rng: random.Random) -> list[Searchable]:
    """`size` replies with titles, keyword phrases and bodies drawn from the word lists."""
    items = []
    for reply_id in range(1, size + 1):
        title = " ".join(_content(rng) if i % 2 == 0 or rng.random() < 0.6
                         else rng.choice(STOPWORDS) for i in range(rng.randint(*TITLE_WORDS)))
        keywords = tuple(" ".join(_content(rng) for _ in range(rng.choice((1, 1, 2))))
                         for _ in range(rng.randint(*KEYWORDS)))
        body = " ".join(_word(rng) for _ in range(rng.randint(*BODY_WORDS)))
        items.append(Searchable(reply_id, title.capitalize(), keywords, body.capitalize() + ".",
                                uses=int(rng.paretovariate(1.5)) - 1,
                                recency=1.7e9 + rng.random() * 3e7))
    return items


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) - 1)
    edit = rng.randrange(4)
    if edit == 0:
        return word[:i] + word[i + 1:]  # a letter missed
    if edit == 1:
        return word[:i] + rng.choice("aeiorst") + word[i:]  # one too many
    if edit == 2:
        return word[:i] + rng.choice("aeiorst") + word[i + 1:]  # a wrong one
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # two swapped


MIX = ("word", "prefix", "two words", "typo", "folded", "empty")


def queries(count: int, rng: random.Random) -> list[str]:
    """Deterministic query mix: words, 1–4 letter prefixes, pairs, typos, folded, empty."""
    vocabulary = CONTENT + STOPWORDS
    long_words = [w for w in CONTENT if len(w) >= TYPO_MIN + 1]
    out = []
    for n in range(count):
        kind = MIX[n % len(MIX)] if n % 20 else "empty"
        if kind == "empty":
            out.append(rng.choice(("", " ", "?")))
        elif kind == "word":
            out.append(_content(rng))
        elif kind == "prefix":
            out.append(rng.choice(vocabulary)[:rng.randint(1, 4)])
        elif kind == "two words":
            second = _content(rng)
            out.append(f"{_content(rng)} {second[:rng.randint(2, len(second))]}")
        elif kind == "typo":
            out.append(_typo(rng.choice(long_words), rng))
        else:
            word = _content(rng)
            out.append(fold(word) if rng.random() < 0.5 else word.upper())
    return out


def timed(search: Callable[[str], list[int]], qs: Sequence[str]) -> tuple[list[float],
                                                                           list[list[int]]]:
    """µs per query (sorted) and each query's answer."""
    times, answers = [], []
    for q in qs:
        start = time.perf_counter_ns()
        answers.append(search(q))
        times.append((time.perf_counter_ns() - start) / 1000)
    return sorted(times), answers


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of them at or below it."""
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(size: int, qs: Sequence[str], seed: int) -> Figures:
    items = corpus(size, random.Random(f"{seed}:{size}"))
    rss = _rss_mb()
    start = time.perf_counter_ns()
    index = ReplyIndex(items)
    build_ms = (time.perf_counter_ns() - start) / 1e6
    rss_mb = _rss_mb() - rss
    index.most_used()  # the popularity order is built lazily; keep it out of the first query
    index_times, index_answers = timed(lambda q: index.search(q, limit=LIMIT), qs)
    shared = min(len(qs), max(NAIVE_MIN_QUERIES, NAIVE_ITEM_QUERIES // size))
    naive_times, naive_answers = timed(lambda q: naive_search(items, q, limit=LIMIT),
                                       qs[:shared])
    mismatch = next((q for q, a, b in zip(qs, index_answers, naive_answers, strict=False)
                     if a != b), None)
    return Figures(size, build_ms, index.vocabulary_size, index_times, naive_times, shared,
                   rss_mb, mismatch)


def _ms(us: float) -> str:
    return f"{us / 1000:.3f}"


def report(figures: list[Figures], queries_: int, seed: int) -> list[str]:
    lines = [
        f"replies bench: seed {seed}, {queries_} queries per size (mix: {', '.join(MIX)}), "
        f"limit {LIMIT}; latency in ms per search (nearest-rank percentiles)",
        f"naive reference: on the first min(queries, max({NAIVE_MIN_QUERIES}, "
        f"{NAIVE_ITEM_QUERIES:,} ÷ items)) queries only, as it folds every reply on every call",
        "",
        f"{'items':>8} {'build ms':>9} {'vocab':>6} {'RSS +MB':>8} │ {'index p50':>9} "
        f"{'p95':>7} {'p99':>7} │ {'naive n':>7} {'p50':>9} {'p95':>9} {'p99':>9} │ "
        f"{'naive÷index p50':>15}",
    ]
    for f in figures:
        ratio = percentile(f.naive, 50) / max(percentile(f.index, 50), 1e-3)
        lines.append(
            f"{f.size:>8,} {f.build_ms:>9.1f} {f.vocabulary:>6,} {f.rss_mb:>8.1f} │ "
            f"{_ms(percentile(f.index, 50)):>9} {_ms(percentile(f.index, 95)):>7} "
            f"{_ms(percentile(f.index, 99)):>7} │ {f.naive_queries:>7} "
            f"{_ms(percentile(f.naive, 50)):>9} {_ms(percentile(f.naive, 95)):>9} "
            f"{_ms(percentile(f.naive, 99)):>9} │ {ratio:>14,.0f}×")
    lines.append("")
    for f in figures:
        verdict = (f"same answers on all {f.naive_queries} shared queries" if f.mismatch is None
                   else f"DIFFERENT answers for query {f.mismatch!r}")
        lines.append(f"{f.size:,} items: index and naive give {verdict}")
    return lines


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of counts: {text}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive counts: {text}")
    return sizes


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atendimento bench replies", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=_sizes("1000,10000,100000"),
                        help="numbers of saved replies to search, comma-separated")
    parser.add_argument("--queries", type=_positive, default=500, help="queries per size")
    parser.add_argument("--seed", type=int, default=1, help="seed of the corpus and queries")
    args = parser.parse_args(argv)
    qs = queries(args.queries, random.Random(args.seed))
    figures = [run(size, qs, args.seed) for size in args.sizes]
    print("\n".join(report(figures, args.queries, args.seed)))
    different = [f for f in figures if f.mismatch is not None]
    if different:
        for f in different:
            print(f"replies bench: index and naive differ at {f.size:,} items for query "
                  f"{f.mismatch!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
