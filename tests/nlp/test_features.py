"""What the classifier sees of a message: words, short character n-grams, cues, places, edges."""
from nlp.features import CHAR_NGRAMS, Vectorizer, tokens
from nlp.lexicon import cues
from nlp.places import extract_place
from nlp.urgency import detect_urgency


def test_question_cues():
    found = cues("请问这个月物业费多少钱？")
    assert {"q:please", "q:how_much", "q:mark"} <= set(found)
    assert not any(c.startswith("f:") for c in found)


def test_follow_up_cues():
    found = set(cues("上次报修的水管还没人来修，催一下"))
    assert {"f:before", "f:not_yet", "f:urge", "f:reported"} <= found


def test_somewhere_else_and_trade_cues():
    assert "x:elsewhere" in cues("我朋友那个小区停了三天水")
    assert "x:trade" in cues("九成新婴儿车出售，加微信")
    assert cues("3号楼电梯坏了") == []


def test_usage_questions_are_cued_as_help():
    assert "g:usage" in cues("这个小程序怎么用")
    assert "g:hello" in cues("早上好呀")
    assert "g:hello" not in cues("我说你好你也不理")  # a greeting word mid-sentence is not a greeting


def test_tokens_carry_places_edges_length_and_urgency():
    names = tokens("3号楼2单元501卫生间漏水了吗")
    assert {"p:building", "p:room"} <= set(names)
    assert "p:named" not in names
    assert "s:0号" in names and "e:了吗" in names and "e1:吗" in names  # digits fold to 0
    assert sum(n.startswith("len:") for n in names) == 1
    assert "u:gas" in tokens("楼道里一股煤气味")


def test_character_ngrams_stay_inside_punctuation_runs():
    names = [n for n in tokens("漏水，快修") if n.startswith("c:")]
    assert "c:水快" not in names and "c:漏水" in names and "c:快修" in names
    assert max(len(n) - 2 for n in names) == max(CHAR_NGRAMS)


def test_known_urgency_and_place_give_the_same_tokens():
    text = "5栋1门402厨房煤气味好大"
    assert tokens(text) == tokens(text, detect_urgency(text), extract_place(text))


def test_vectorizer_drops_rare_features_and_normalises():
    docs = [["w:a", "w:b"], ["w:a", "w:c"], ["w:a", "w:b", "w:b"]]
    vec = Vectorizer.fit(docs, min_df=2)
    assert vec.vocabulary == ["w:a", "w:b"]
    idx, values = vec.transform_one(["w:b", "w:b", "w:zzz"])
    assert idx.tolist() == [1] and abs(float(values @ values) - 1.0) < 1e-6


def test_number_of_complaint_topics():
    # Chatter and greetings name no complaint topic; the count is how the model sees that absence.
    assert "k:topics=0" in tokens("今晚月亮好圆啊 大家快去阳台看")
    assert "k:topics=0" not in tokens("楼道灯坏了一个礼拜没人修")
    assert len([t for t in tokens("电梯坏了 楼道里全是垃圾 还停水") if t.startswith("k:topics=")]) == 1
